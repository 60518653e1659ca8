namespace OrleansEc2.Grains.Tests.Migrations;

/// <summary>What ec2-migrate-image refuses, each with its exact code, and that a refusal changes nothing.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MigrationRefusalTests(ClusterFixture fixture) : IAsyncLifetime
{
    private const string Alice = ClusterFixture.Alice;
    private const string Bob = ClusterFixture.Bob;
    private const string UsEast1 = ClusterFixture.UsEast1;
    private const string EuWest1 = ClusterFixture.EuWest1;

    private string _sourceBucket = "";
    private string _manifestKey = "";

    private IGrainFactory Grains => fixture.Grains;

    private IBlobStore Blobs => fixture.GetSiloService<IBlobStore>();

    public async Task InitializeAsync()
    {
        _sourceBucket = (await BundleUploads.CreateBucketAsync(Grains, Alice, UsEast1)).Name;
        (_, _manifestKey) = await BundleUploads.UploadAsync(Grains, Blobs, Alice, _sourceBucket, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 90)), partSize: 256 * 1024);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PrivateKey_NotTheCertificates_IsInvalidParameterCombination()
    {
        var bobs = await Grains.GetGrain<IAccountGrain>(Bob).GetSigningCredentialsAsync();
        var request = await RequestAsync() with { PrivateKeyPem = bobs.PrivateKeyPem };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidParameterCombination, "does not belong to the certificate");
    }

    [Fact]
    public async Task Certificate_OfAnotherAccount_IsInvalidParameterValue()
    {
        var bobs = await Grains.GetGrain<IAccountGrain>(Bob).GetSigningCredentialsAsync();
        var request = await RequestAsync() with { CertificatePem = bobs.CertificatePem, PrivateKeyPem = bobs.PrivateKeyPem };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidParameterValue, $"not the signing certificate of account {Alice}");
    }

    [Fact]
    public async Task Certificate_NotPem_IsInvalidParameterValue()
    {
        var request = await RequestAsync() with { CertificatePem = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n" };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidParameterValue, "The cert parameter is not an X.509 certificate");
    }

    [Fact]
    public async Task Manifest_NotSignedByTheCertificate_IsInvalidManifest()
    {
        var bobs = await Grains.GetGrain<IAccountGrain>(Bob).GetSigningCredentialsAsync();
        var (_, signedByBob) = await BundleUploads.UploadAsync(
            Grains, Blobs, Alice, _sourceBucket, UsEast1, new MemoryStream(BundleUploads.SyntheticDisk(seed: 91)), partSize: 256 * 1024, signer: bobs);
        var request = await RequestAsync() with { ManifestKey = signedByBob };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidManifest, "was not signed by the certificate");
    }

    [Fact]
    public async Task Manifest_NotAManifest_IsInvalidManifest()
    {
        await BundleUploads.PutAsync(Grains.GetGrain<IBucketGrain>(_sourceBucket), Blobs, Alice, "notes.manifest.xml", "<notes/>"u8.ToArray(), "text/xml");
        var request = await RequestAsync() with { ManifestKey = "notes.manifest.xml" };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidManifest, "is not a bundle manifest");
    }

    [Fact]
    public async Task Manifest_Missing_IsNoSuchKey()
    {
        var request = await RequestAsync() with { ManifestKey = "nothing-here.manifest.xml" };

        await RefusedAsync(request, Ec2ErrorCodes.NoSuchKey, "nothing-here.manifest.xml");
    }

    [Fact]
    public async Task SourceBucket_Missing_IsNoSuchBucket()
    {
        var request = await RequestAsync() with { SourceBucket = Scenario.Unique("nowhere") };

        await RefusedAsync(request, Ec2ErrorCodes.NoSuchBucket, request.SourceBucket);
    }

    [Fact]
    public async Task SourceBucket_OfAnotherAccount_IsAccessDenied()
    {
        var bobsBucket = await BundleUploads.CreateBucketAsync(Grains, Bob, UsEast1);
        var request = await RequestAsync() with { SourceBucket = bobsBucket.Name };

        await RefusedAsync(request, Ec2ErrorCodes.AccessDenied, "belongs to another account");
    }

    [Theory]
    [InlineData("MARS")]
    [InlineData("eu-central-1")]
    public async Task Location_Unknown_IsInvalidLocationConstraint(string location)
    {
        var request = await RequestAsync() with { Location = location };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidLocationConstraint, $"'{location}'");
    }

    [Fact]
    public async Task DestinationBucket_OfAnotherAccount_IsBucketAlreadyExists()
    {
        var bobsBucket = await BundleUploads.CreateBucketAsync(Grains, Bob, EuWest1);
        var request = await RequestAsync() with { DestinationBucket = bobsBucket.Name };

        await RefusedAsync(request, Ec2ErrorCodes.BucketAlreadyExists, "belongs to another account");
        (await Grains.GetGrain<IBucketGrain>(bobsBucket.Name).ListObjectsAsync(Bob, new ListObjectsQuery(null, null, 10, null))).Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task DestinationBucket_InAnotherRegion_IsIllegalLocationConstraintException()
    {
        var westBucket = await BundleUploads.CreateBucketAsync(Grains, Alice, "us-west-1");
        var request = await RequestAsync() with { DestinationBucket = westBucket.Name };

        await RefusedAsync(request, Ec2ErrorCodes.IllegalLocationConstraintException, $"is in us-west-1, not in {EuWest1}");
    }

    [Fact]
    public async Task DestinationBucket_WithAnInvalidName_IsInvalidBucketName()
    {
        var request = await RequestAsync() with { DestinationBucket = "Not_A_Bucket" };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidBucketName, "Not_A_Bucket");
    }

    [Fact]
    public async Task Destination_TheSourceItself_IsInvalidParameterCombination()
    {
        var request = await RequestAsync() with { DestinationBucket = _sourceBucket, Location = "US" };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidParameterCombination, "is the source itself");
    }

    [Fact]
    public async Task DestinationKeyPrefix_NotAFolder_IsInvalidParameterValue()
    {
        var request = await RequestAsync() with { DestinationKeyPrefix = "copies" };

        await RefusedAsync(request, Ec2ErrorCodes.InvalidParameterValue, "must be a folder");
    }

    [Fact]
    public async Task AParameter_Missing_IsMissingParameter()
    {
        var request = await RequestAsync() with { Location = "" };

        await RefusedAsync(request, Ec2ErrorCodes.MissingParameter, "location");
    }

    private Task<MigrateImageRequest> RequestAsync()
        => MigrationRuns.RequestAsync(Grains, Alice, _sourceBucket, _manifestKey, Scenario.Unique("eu-bundles"), "EU");

    /// <summary>The start is refused with <paramref name="code"/>, and nothing is left: no migration, no registry entry, no new bucket.</summary>
    private async Task RefusedAsync(MigrateImageRequest request, string code, string messagePart)
    {
        var id = Ec2Ids.NewMigrationId();
        var destinationBefore = await Grains.GetGrain<IBucketGrain>(request.DestinationBucket).FindAsync();

        var act = () => Grains.GetGrain<IMigrationGrain>(id).StartAsync(request);

        var refusal = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        refusal.Code.Should().Be(code);
        refusal.Message.Should().Contain(messagePart);
        var describe = () => Grains.GetGrain<IMigrationGrain>(id).DescribeAsync(Alice);
        (await describe.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(MigrationErrorCodes.InvalidMigrationIdNotFound);
        (await Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().NotContain(id);
        if (request.DestinationBucket.Length > 0 && destinationBefore is null)
        {
            (await Grains.GetGrain<IBucketGrain>(request.DestinationBucket).FindAsync()).Should().BeNull("a refused migration creates no bucket");
        }
    }
}
