using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Grains.Tests.Migrations;

[Collection(ClusterCollection.Name)]
public sealed class MigrationGrainTests(ClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;
    private const string UsEast1 = ClusterFixture.UsEast1;
    private const string EuWest1 = ClusterFixture.EuWest1;

    private IGrainFactory Grains => fixture.Grains;

    private IBlobStore Blobs => fixture.GetSiloService<IBlobStore>();

    [Fact]
    public async Task Migrate_AnInstancesBundle_UsEast1ToEu_UnbundlesInEuWest1ToTheBytesItUnbundlesToInUsEast1()
    {
        var instance = await Scenario.RunOneAsync(Grains);
        await instance.WriteFileAsync(Alice, @"C:\Documents and Settings\Administrator\Desktop\migrate-me.txt", "bundled in us-east-1\r\n"u8.ToArray());
        await instance.StopAsync(Alice, force: false);
        var snapshot = await instance.SnapshotDiskAsync(Alice);
        byte[] generalized;
        await using (var disk = Blobs.OpenRead(snapshot.Disk.BlobHash))
        await using (var image = Sysprep.OpenGeneralized(disk))
        {
            using var copy = new MemoryStream();
            await image.CopyToAsync(copy);
            generalized = copy.ToArray();
        }

        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (bundle, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(generalized), partSize: 1 << 20);
        var destination = Scenario.Unique("eu-bundles");

        var migrated = await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, destination, "EU"));

        migrated.State.Should().Be(MigrationState.Complete);
        migrated.Error.Should().BeNull();
        migrated.SourceRegion.Should().Be(UsEast1);
        migrated.DestinationRegion.Should().Be(EuWest1);
        migrated.PartCount.Should().Be(bundle.Parts.Count);
        migrated.PartsCopied.Should().Be(bundle.Parts.Count);
        migrated.DestinationManifestLocation.Should().Be($"{destination}/{manifestKey}");
        var bucket = await Grains.GetGrain<IBucketGrain>(destination).GetInfoAsync(Alice);
        bucket.Region.Should().Be(EuWest1);
        bucket.OwnerId.Should().Be(Alice);
        var inUs = await BundleUploads.UnbundleInRegionAsync(Grains, Blobs, Alice, source.Name, manifestKey, UsEast1);
        var inEu = await BundleUploads.UnbundleInRegionAsync(Grains, Blobs, Alice, destination, manifestKey, EuWest1);
        inEu.Should().Equal(inUs);
        inEu.Should().Equal(generalized);
    }

    [Fact]
    public async Task Migrate_CopiesEachPartAsTheSameBlob_AndResealsTheManifestForTheDestinationRegionOnly()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (bundle, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 81)));
        var destination = Scenario.Unique("eu-bundles");

        var migrated = await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, destination, EuWest1));

        migrated.State.Should().Be(MigrationState.Complete);
        bundle.Parts.Count.Should().BeGreaterThan(3);
        foreach (var part in bundle.Parts)
        {
            var original = await Grains.GetGrain<IBucketGrain>(source.Name).GetObjectAsync(Alice, part.FileName);
            var copy = await Grains.GetGrain<IBucketGrain>(destination).GetObjectAsync(Alice, part.FileName);
            copy.Blob.Should().Be(original.Blob, $"{part.FileName} is copied server-side, not re-encrypted");
            copy.ETag.Should().Be(original.ETag);
            copy.CannedAcl.Should().Be(ObjectCannedAcls.AwsExecRead, "ec2-migrate-bundle writes its copies readable by EC2's AMI account by default");
        }

        (await Grains.GetGrain<IBucketGrain>(destination).GetObjectAsync(Alice, manifestKey)).CannedAcl.Should().Be(ObjectCannedAcls.AwsExecRead);

        var resealed = Manifest.Parse(await BundleUploads.ReadTextAsync(Grains, Blobs, Alice, destination, manifestKey));
        using var usKey = PemKeys.ParsePrivateKey(await Grains.GetGrain<IRegionGrain>(UsEast1).GetEc2PrivateKeyPemAsync());
        using var euKey = PemKeys.ParsePrivateKey(await Grains.GetGrain<IRegionGrain>(EuWest1).GetEc2PrivateKeyPemAsync());
        var credentials = await Grains.GetGrain<IAccountGrain>(Alice).GetSigningCredentialsAsync();
        using var certificate = PemKeys.ParseCertificate(credentials.CertificatePem);
        using var userKey = PemKeys.ParsePrivateKey(credentials.PrivateKeyPem);

        var sourceRegionUnseal = () => ManifestVerifier.UnsealForRegion(resealed, usKey, UsEast1);
        sourceRegionUnseal.Should().Throw<BundleException>().Which.Error.Should().Be(BundleError.KeyNotSealedForRegion);
        var euBundleKey = ManifestVerifier.UnsealForRegion(resealed, euKey, EuWest1);
        var userBundleKey = ManifestVerifier.UnsealForUser(bundle.Manifest, userKey);
        euBundleKey.KeyHex.Should().Be(userBundleKey.KeyHex);
        euBundleKey.IvHex.Should().Be(userBundleKey.IvHex);
        ManifestVerifier.VerifySignature(resealed, certificate);
        resealed.Digest.Should().Be(bundle.Manifest.Digest);
        resealed.Parts.Should().Equal(bundle.Manifest.Parts);
        var unchangedSource = Manifest.Parse(await BundleUploads.ReadTextAsync(Grains, Blobs, Alice, source.Name, manifestKey));
        ManifestVerifier.UnsealForRegion(unchangedSource, usKey, UsEast1).KeyHex.Should().Be(userBundleKey.KeyHex);
    }

    [Fact]
    public async Task Migrate_TheSameBundleAgain_ChangesNoObject()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (_, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 82)));
        var destination = Scenario.Unique("eu-bundles");
        var request = await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, destination, "EU");
        (await MigrationRuns.RunAsync(Grains, request)).State.Should().Be(MigrationState.Complete);
        var before = await ListAsync(destination);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        var again = await MigrationRuns.RunAsync(Grains, request);

        again.State.Should().Be(MigrationState.Complete);
        again.PartsCopied.Should().Be(again.PartCount);
        var after = await ListAsync(destination);
        after.Should().BeEquivalentTo(before, "the same migration again finds every part and the manifest in place");
        after.Select(o => o.LastModified).Should().OnlyContain(t => t < fixture.Time.GetUtcNow());
    }

    [Fact]
    public async Task Migrate_OverAnotherBundleWithTheSameName_ReplacesItsManifest()
    {
        var prefix = Scenario.Unique("winami");
        var first = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var second = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (_, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, first.Name, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 83)), prefix);
        var newer = BundleUploads.SyntheticDisk(seed: 84);
        await BundleUploads.UploadAsync(Grains, Blobs, Alice, second.Name, UsEast1, new MemoryStream(newer), prefix);
        var destination = Scenario.Unique("eu-bundles");
        (await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, first.Name, manifestKey, destination, "EU"))).State.Should().Be(MigrationState.Complete);

        var migrated = await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, second.Name, manifestKey, destination, "EU"));

        migrated.State.Should().Be(MigrationState.Complete);
        (await BundleUploads.UnbundleInRegionAsync(Grains, Blobs, Alice, destination, manifestKey, EuWest1)).Should().Equal(newer);
    }

    [Fact]
    public async Task Migrate_IntoAnExistingBucketOfTheCallerThere_WithAKeyPrefix_PutsTheBundleUnderThatFolder()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var disk = BundleUploads.SyntheticDisk(seed: 85);
        var (bundle, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(disk), folder: "images/2008/");
        var destination = await BundleUploads.CreateBucketAsync(Grains, Alice, EuWest1);

        var migrated = await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, destination.Name, "eu-west-1", "copies/"));

        migrated.State.Should().Be(MigrationState.Complete);
        migrated.DestinationManifestKey.Should().Be("copies/" + bundle.ManifestFileName);
        var keys = (await ListAsync(destination.Name)).Select(o => o.Key).ToList();
        keys.Should().BeEquivalentTo([.. bundle.Parts.Select(p => "copies/" + p.FileName), "copies/" + bundle.ManifestFileName]);
        (await BundleUploads.UnbundleInRegionAsync(Grains, Blobs, Alice, destination.Name, migrated.DestinationManifestKey, EuWest1)).Should().Equal(disk);
    }

    [Fact]
    public async Task Migrate_WithAPartMissingFromTheSource_FailsWithNoSuchKey_AndWritesNoManifest()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (bundle, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 86)));
        var missing = bundle.Parts[2].FileName;
        await Grains.GetGrain<IBucketGrain>(source.Name).DeleteObjectAsync(Alice, missing);
        var destination = Scenario.Unique("eu-bundles");

        var migrated = await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, destination, "EU"));

        migrated.State.Should().Be(MigrationState.Failed);
        migrated.PartsCopied.Should().Be(2);
        migrated.Error!.Code.Should().Be(Ec2ErrorCodes.NoSuchKey);
        migrated.Error.Message.Should().Contain(missing);
        var act = () => Grains.GetGrain<IBucketGrain>(destination).GetObjectAsync(Alice, manifestKey);
        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.NoSuchKey);
        (await Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().NotContain(migrated.MigrationId);
    }

    [Fact]
    public async Task Start_TheSameRequestTwiceOnOneId_AnswersTheSameMigration_AnotherRequestIsAMismatch()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (_, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 87)));
        var request = await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, Scenario.Unique("eu-bundles"), "EU");
        var id = Ec2Ids.NewMigrationId();

        var first = await MigrationRuns.StartAsync(Grains, request, id);
        var second = await MigrationRuns.StartAsync(Grains, request, id);
        var other = () => MigrationRuns.StartAsync(Grains, request with { DestinationBucket = Scenario.Unique("eu-other") }, id);

        first.MigrationId.Should().Be(id);
        second.MigrationId.Should().Be(id);
        second.StartTime.Should().Be(first.StartTime);
        (await other.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IdempotentParameterMismatch);
        (await MigrationRuns.WaitAsync(Grains, id, Alice)).State.Should().Be(MigrationState.Complete);
    }

    [Fact]
    public async Task Describe_ByAnotherAccountOrOfAnUnknownId_IsNotFound_AndAFinishedMigrationLeavesTheRegistry()
    {
        var source = await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1);
        var (_, manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, source.Name, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 88)));
        var migrated = await MigrationRuns.RunAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, source.Name, manifestKey, Scenario.Unique("eu-bundles"), "EU"));

        var byBob = () => Grains.GetGrain<IMigrationGrain>(migrated.MigrationId).DescribeAsync(ClusterFixture.Bob);
        var unknown = () => Grains.GetGrain<IMigrationGrain>(Ec2Ids.NewMigrationId()).DescribeAsync(Alice);

        (await byBob.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(MigrationErrorCodes.InvalidMigrationIdNotFound);
        (await unknown.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(MigrationErrorCodes.InvalidMigrationIdNotFound);
        (await Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().NotContain(migrated.MigrationId);
        (await Grains.GetGrain<IMigrationGrain>(migrated.MigrationId).ResumeAsync()).Should().BeFalse();
    }

    private async Task<List<S3ObjectInfo>> ListAsync(string bucket)
        => [.. (await Grains.GetGrain<IBucketGrain>(bucket).ListObjectsAsync(Alice, new ListObjectsQuery(null, null, 1000, null))).Objects];
}
