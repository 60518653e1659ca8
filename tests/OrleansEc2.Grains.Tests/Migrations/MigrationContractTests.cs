namespace OrleansEc2.Grains.Tests.Migrations;

public sealed class MigrationContractTests
{
    [Fact]
    public void MigrateImageRequest_Printed_LeavesOutTheCertificateAndPrivateKey()
    {
        var request = new MigrateImageRequest(
            ClusterFixture.Alice,
            "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
            "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",
            "mybucket",
            "winami.manifest.xml",
            "mybucket-eu",
            "EU");

        var printed = request.ToString();

        printed.Should().Be(
            "MigrateImageRequest { AccountId = 111122223333, SourceBucket = mybucket, ManifestKey = winami.manifest.xml, "
            + "DestinationBucket = mybucket-eu, Location = EU, DestinationKeyPrefix = , Registration =  }");
    }

    [Theory]
    [InlineData(MigrationState.Pending, 0, 12, "pending")]
    [InlineData(MigrationState.CopyingParts, 5, 12, "copying-parts (5/12)")]
    [InlineData(MigrationState.WritingManifest, 12, 12, "writing-manifest")]
    [InlineData(MigrationState.Complete, 12, 12, "complete")]
    [InlineData(MigrationState.Failed, 3, 12, "failed")]
    public void Progress_NamesTheStateAndCountsPartsWhileCopying(MigrationState state, int copied, int count, string progress)
    {
        var migration = new MigrationDescription(
            "mig-1a2b3c4d", ClusterFixture.Alice, "b", "us-east-1", "k", "d", "eu-west-1", "k", state, copied, count,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

        migration.Progress.Should().Be(progress);
        migration.DestinationManifestLocation.Should().Be("d/k");
    }

    [Fact]
    public void CopyImageIds_FromAClientToken_AreTheSameEachTime_AndTheCallersOwn()
    {
        var eu = new Caller(ClusterFixture.Alice, ClusterFixture.EuWest1);

        var first = CopyImageIds.For(eu, "token-1");
        var again = CopyImageIds.For(eu, "token-1");
        var otherToken = CopyImageIds.For(eu, "token-2");
        var otherAccount = CopyImageIds.For(new Caller(ClusterFixture.Bob, ClusterFixture.EuWest1), "token-1");
        var noToken = CopyImageIds.For(eu, null);

        again.Should().Be(first);
        Ec2Ids.IsImageId(first.ImageId).Should().BeTrue();
        Ec2Ids.IsMigrationId(first.MigrationId).Should().BeTrue();
        first.MigrationId.Should().Be(CopyImageIds.MigrationIdOf(first.ImageId));
        new[] { otherToken.ImageId, otherAccount.ImageId, noToken.ImageId }.Should().NotContain(first.ImageId);
        CopyImageIds.For(eu, null).ImageId.Should().NotBe(noToken.ImageId);
    }
}
