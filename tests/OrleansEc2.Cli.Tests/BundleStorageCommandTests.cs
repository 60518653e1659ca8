using Amazon.S3.Model;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class BundleStorageCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task BundleImage_UploadBundle_Register_RunInstances_WorksEndToEnd()
    {
        using var workspace = silo.Workspace();
        var credentials = await workspace.RunAsync("download-credentials", "-d", "creds");
        var (cert, key) = (credentials.OutLines[0].Split('\t')[1], credentials.OutLines[0].Split('\t')[2]);
        var ec2Cert = credentials.OutLines[1].Split('\t')[2];
        await using (var disk = File.Create(workspace.File("e2eami.img")))
        {
            // A Windows system disk: what a region registers and boots (random bytes are refused as no disk image).
            await SyntheticDisk.WriteAsync(disk, new SyntheticDiskSpec(1 << 20, 5, DiskPlatform.Windows));
        }

        var manifest = await BundleAsync(workspace, "e2eami", cert, key, ec2Cert, writeImage: false);

        var upload = await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-upload-e2e", "-m", "bundled/e2eami.manifest.xml");
        var register = await workspace.RunAsync("ec2-register", "cli-upload-e2e/e2eami.manifest.xml");
        var ami = register.OutLines.FirstOrDefault()?.Split('\t')[1] ?? "";
        var launch = await workspace.RunAsync("ec2-run-instances", ami, "--wait");

        upload.Error.Should().BeEmpty();
        upload.ExitCode.Should().Be(0);
        upload.OutLines.Should().Equal(
            [
                "Creating bucket...",
                "Uploading bundled image parts to the S3 bucket cli-upload-e2e ...",
                .. manifest.Parts.Select(p => $"Uploaded {p.FileName}"),
                "Uploading manifest ...",
                "Uploaded manifest.",
                "Bundle upload completed.",
            ]);
        manifest.Parts.Should().HaveCountGreaterThan(1);
        using (var s3 = silo.S3())
        {
            var acl = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = "cli-upload-e2e", Key = "e2eami.manifest.xml" });
            acl.Grants.Select(g => (g.Grantee.DisplayName, g.Permission.Value))
                .Should().Contain(("za-team", "READ"), "aws-exec-read is the default ACL");
            var stored = await s3.GetObjectAsync("cli-upload-e2e", "e2eami.part.01");
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            bytes.ToArray().Should().Equal(await File.ReadAllBytesAsync(workspace.File("bundled/e2eami.part.01")));
        }

        register.Error.Should().BeEmpty();
        register.OutLines.ShouldMatch(Tabs("IMAGE", "{ami}"));
        launch.Error.Should().BeEmpty();
        launch.ExitCode.Should().Be(0);
        launch.OutLines[1].Split('\t')[2].Should().Be(ami);
        launch.OutLines[1].Split('\t')[5].Should().Be("running");
    }

    [Fact]
    public async Task UploadBundle_WithACorruptPart_RefusesBeforeUploadingAnything()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "corrupt");
        var part = workspace.File("bundled/corrupt.part.01");
        var bytes = await File.ReadAllBytesAsync(part);
        bytes[7] ^= 0x40;
        await File.WriteAllBytesAsync(part, bytes);

        var run = await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-upload-corrupt", "-m", "bundled/corrupt.manifest.xml");

        run.ExitCode.Should().Be(254);
        run.Out.Should().BeEmpty();
        run.Error.Should().MatchRegex("^ERROR: Part corrupt\\.part\\.01 \\(index 1\\) is corrupt: its SHA-1 is [0-9a-f]{40} but the manifest says [0-9a-f]{40}\\.\n$");
        using var s3 = silo.S3();
        var buckets = await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = "cli-upload-corrupt" });
        (buckets.Buckets ?? []).Should().BeEmpty("nothing is created or uploaded for a bundle with a corrupt part");
    }

    [Fact]
    public async Task UploadBundle_WithAMissingPart_NamesItAndUploadsNothing()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "missing");
        File.Delete(workspace.File("bundled/missing.part.00"));

        var run = await workspace.RunAsync("upload-bundle", "-b", "cli-upload-missing", "-m", "bundled/missing.manifest.xml");

        run.ExitCode.Should().Be(254);
        run.Error.Should().Be($"ERROR: Part missing.part.00 is missing: {workspace.File("bundled/missing.part.00")} does not exist.\n");
        using var s3 = silo.S3();
        ((await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = "cli-upload-missing" })).Buckets ?? []).Should().BeEmpty();
    }

    [Fact]
    public async Task UploadBundle_FromPart_SkipsTheEarlierParts_AndSkipManifestLeavesTheManifestOut()
    {
        using var workspace = silo.Workspace();
        var manifest = await BundleAsync(workspace, "partial");

        var run = await workspace.RunAsync(
            "ec2-upload-bundle", "-b", "cli-upload-partial/some/folder", "-m", "bundled/partial.manifest.xml", "--part", "01", "--skipmanifest",
            "-a", CliSiloFixture.AliceKey, "-s", CliSiloFixture.AliceSecret);

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Equal(
            [
                "Creating bucket...",
                "Uploading bundled image parts to the S3 bucket cli-upload-partial ...",
                "Skipping partial.part.00",
                .. manifest.Parts.Skip(1).Select(p => $"Uploaded {p.FileName}"),
                "Bundle upload completed.",
            ]);
        (await KeysAsync("cli-upload-partial")).Should().Equal(manifest.Parts.Skip(1).Select(p => "some/folder/" + p.FileName));
    }

    [Fact]
    public async Task UploadBundle_ToAnEuLocation_CreatesTheBucketInEuWest1()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "euami");

        var run = await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-upload-eu", "-m", "bundled/euami.manifest.xml", "--location", "EU");
        var again = await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-upload-eu", "-m", "bundled/euami.manifest.xml", "--location", "US");

        run.Error.Should().BeEmpty();
        run.ExitCode.Should().Be(0);
        run.OutLines[0].Should().Be("Creating bucket...");
        using var s3 = silo.S3();
        var bucket = (await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = "cli-upload-eu" })).Buckets.Single();
        bucket.BucketRegion.Should().Be("eu-west-1");
        again.ExitCode.Should().Be(254);
        again.Error.Should().Be("ERROR: The bucket cli-upload-eu is in eu-west-1, not in the location US (us-east-1) given with --location.\n");
    }

    [Fact]
    public async Task UploadBundle_WithPublicRead_IsRefusedByS3_AsItsBucketsTakeNoPublicAcl()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "public");

        var run = await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-upload-public", "-m", "bundled/public.manifest.xml", "--acl", "public-read");

        run.ExitCode.Should().Be(3);
        run.Error.Should().Be("Client.AccessControlListNotSupported: The bucket does not allow ACLs\n");
        (await KeysAsync("cli-upload-public")).Should().BeEmpty();
    }

    [Fact]
    public async Task UploadBundle_WithoutTheManifest_ExplainsTheUsage()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-upload-bundle", "-b", "some-bucket");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "ec2-upload-bundle: Option '--manifest' is required.",
            "Usage: ec2sim ec2-upload-bundle -b BUCKET[/PREFIX] -m MANIFEST [-a ACCESS_KEY -s SECRET_KEY] [--acl aws-exec-read|public-read] "
            + "[--location LOCATION] [-d DIRECTORY] [--part N] [--retry] [--skipmanifest] [--url URL]",
            "Try 'ec2sim ec2-upload-bundle --help' for more information.");
    }

    [Fact]
    public async Task UploadBundle_WithAnAccessKeyButNoSecretKey_SaysTheyGoTogether()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-upload-bundle", "-b", "some-bucket", "-m", "x.manifest.xml", "-a", CliSiloFixture.AliceKey);

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be("ec2-upload-bundle: Incomplete AWS credentials: -a/--access-key and -s/--secret-key go together; only one of them is set.");
    }

    [Fact]
    public async Task UploadBundle_OfAFileThatIsNotAManifest_SaysSo()
    {
        using var workspace = silo.Workspace();
        await File.WriteAllTextAsync(workspace.File("notes.manifest.xml"), "<notes/>");

        var run = await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-upload-bad", "-m", "notes.manifest.xml");

        run.ExitCode.Should().Be(254);
        run.Error.Should().Be($"ERROR: {workspace.File("notes.manifest.xml")} is not a valid manifest: The manifest's root element is <notes>, not <manifest>.\n");
    }

    [Fact]
    public async Task UploadBundle_IntoAnotherAccountsBucket_IsAServiceError()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "intruder");
        using (var s3 = silo.S3())
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = "cli-upload-alices", UseClientRegion = false });
        }

        var run = await workspace.RunAsync(
            "ec2-upload-bundle", "-b", "cli-upload-alices", "-m", "bundled/intruder.manifest.xml", "-a", CliSiloFixture.BobKey, "-s", CliSiloFixture.BobSecret);

        run.ExitCode.Should().Be(3);
        run.Out.Should().Be("Creating bucket...\n");
        run.Error.Should().StartWith("Client.BucketAlreadyExists: ");
    }

    [Fact]
    public async Task DownloadBundle_GivesBackIdenticalFiles()
    {
        using var workspace = silo.Workspace();
        var manifest = await BundleAsync(workspace, "roundtrip");
        (await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-download/bundles/one", "-m", "bundled/roundtrip.manifest.xml")).ExitCode.Should().Be(0);
        Directory.CreateDirectory(workspace.File("down"));

        var run = await workspace.RunAsync("ec2-download-bundle", "-b", "cli-download/bundles/one", "-p", "roundtrip", "-k", "user.key", "-d", "down");

        run.Error.Should().BeEmpty();
        run.ExitCode.Should().Be(0);
        var down = workspace.File("down");
        run.OutLines.Should().Equal(
            [
                $"Downloading manifest roundtrip.manifest.xml from cli-download to {down}/roundtrip.manifest.xml ...",
                .. manifest.Parts.SelectMany(p => new[]
                {
                    $"Downloading part {p.FileName} from cli-download/bundles/one to {down}/{p.FileName} ...",
                    $"Downloaded {p.FileName} from cli-download",
                }),
            ]);
        Directory.GetFiles(down).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Should().Equal(Directory.GetFiles(workspace.File("bundled")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var file in Directory.GetFiles(workspace.File("bundled")))
        {
            (await File.ReadAllBytesAsync(Path.Combine(down, Path.GetFileName(file)))).Should().Equal(await File.ReadAllBytesAsync(file));
        }
    }

    [Fact]
    public async Task DownloadBundle_OfAPartChangedInS3_FailsTheDigestCheck_AndKeepsNoCopyOfIt()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "tampered");
        (await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-download-tampered", "-m", "bundled/tampered.manifest.xml")).ExitCode.Should().Be(0);
        using (var s3 = silo.S3())
        {
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "cli-download-tampered", Key = "tampered.part.01", ContentBody = "not the part" });
        }

        var run = await workspace.RunAsync("ec2-download-bundle", "-b", "cli-download-tampered", "-p", "tampered", "-k", "user.key");

        run.ExitCode.Should().Be(254);
        run.Error.Should().MatchRegex("^ERROR: Part tampered\\.part\\.01 \\(index 1\\) is corrupt: its SHA-1 is [0-9a-f]{40} but the manifest says [0-9a-f]{40}\\.\n$");
        File.Exists(workspace.File("tampered.part.00")).Should().BeTrue();
        File.Exists(workspace.File("tampered.part.01")).Should().BeFalse();
        File.Exists(workspace.File("tampered.part.01.download")).Should().BeFalse();
    }

    [Fact]
    public async Task DownloadBundle_FromAMissingBucket_IsNoSuchBucket()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-download-bundle", "-b", "cli-no-such-bucket", "-m", "image.manifest.xml", "-k", "user.key");

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.NoSuchBucket: ");
    }

    [Fact]
    public async Task DeleteBundle_WithYes_DeletesExactlyTheBundlesObjects_AndClearKeepsABucketThatIsNotEmpty()
    {
        using var workspace = silo.Workspace();
        var doomed = await BundleAsync(workspace, "doomed");
        var kept = await BundleAsync(workspace, "kept");
        (await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-delete", "-m", "bundled/doomed.manifest.xml")).ExitCode.Should().Be(0);
        (await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-delete", "-m", "bundled/kept.manifest.xml")).ExitCode.Should().Be(0);
        using (var s3 = silo.S3())
        {
            await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = "cli-delete", Key = "doomed.part.99", ContentBody = "not in the manifest" });
        }

        var run = await workspace.RunAsync("ec2-delete-bundle", "-b", "cli-delete", "-p", "doomed", "-y", "--clear");

        run.Error.Should().BeEmpty();
        run.ExitCode.Should().Be(0);
        string[] deleted = ["cli-delete/doomed.manifest.xml", .. doomed.Parts.Select(p => "cli-delete/" + p.FileName)];
        run.OutLines.Should().Equal(
            [
                "Deleting files:",
                .. deleted,
                .. deleted.Select(d => "Deleted " + d),
                "Bucket cli-delete is not empty: not deleted.",
                "ec2-delete-bundle complete.",
            ]);
        (await KeysAsync("cli-delete")).Should().Equal(
            ["doomed.part.99", "kept.manifest.xml", .. kept.Parts.Select(p => p.FileName)]);
    }

    [Fact]
    public async Task DeleteBundle_WithoutYesAndWithoutAnAnswer_RefusesAndDeletesNothing()
    {
        using var workspace = silo.Workspace();
        await BundleAsync(workspace, "asked");
        (await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-delete-asked", "-m", "bundled/asked.manifest.xml")).ExitCode.Should().Be(0);
        var before = await KeysAsync("cli-delete-asked");

        var run = await workspace.RunAsync("ec2-delete-bundle", "-b", "cli-delete-asked", "-m", "bundled/asked.manifest.xml");
        var no = await workspace.RunWithInputAsync("n\n", "ec2-delete-bundle", "-b", "cli-delete-asked", "-m", "bundled/asked.manifest.xml");

        run.ExitCode.Should().Be(254);
        run.Out.Should().EndWith("Continue? [y/n]\n");
        run.Error.Should().Be("ERROR: No answer to 'Continue? [y/n]': standard input is closed (not interactive). Give -y/--yes to delete without asking.\n");
        no.ExitCode.Should().Be(0);
        no.OutLines[^1].Should().Be("Nothing deleted.");
        (await KeysAsync("cli-delete-asked")).Should().Equal(before);
    }

    [Fact]
    public async Task DeleteBundle_AnsweredYes_WithClear_DeletesTheBundleAndTheEmptyBucket()
    {
        using var workspace = silo.Workspace();
        var manifest = await BundleAsync(workspace, "cleared");
        (await workspace.RunAsync("ec2-upload-bundle", "-b", "cli-delete-cleared/in/here", "-m", "bundled/cleared.manifest.xml")).ExitCode.Should().Be(0);

        var run = await workspace.RunWithInputAsync("y\n", "delete-bundle", "-b", "cli-delete-cleared/in/here", "-p", "cleared", "--clear");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().HaveCount(1 + (2 * (manifest.Parts.Count + 1)) + 3);
        run.OutLines[manifest.Parts.Count + 2].Should().Be("Continue? [y/n]");
        run.OutLines[^3].Should().Be($"Deleted cli-delete-cleared/in/here/{manifest.Parts[^1].FileName}");
        run.OutLines[^2].Should().Be("Deleted bucket cli-delete-cleared");
        run.OutLines[^1].Should().Be("ec2-delete-bundle complete.");
        using var s3 = silo.S3();
        ((await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = "cli-delete-cleared" })).Buckets ?? []).Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteBundle_WithBothPrefixAndManifest_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-delete-bundle", "-b", "b", "-p", "x", "-m", "x.manifest.xml", "-y");

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be("ec2-delete-bundle: Give either --prefix or --manifest (exactly one).");
    }

    private async Task<List<string>> KeysAsync(string bucket)
    {
        using var s3 = silo.S3();
        var listing = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        return (listing.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task<Manifest> BundleAsync(
        CliWorkspace workspace, string prefix, string cert = "user.crt", string key = "user.key", string ec2Cert = "ec2.crt", bool writeImage = true)
    {
        if (writeImage)
        {
            workspace.WriteImage(prefix + ".img", 150_000);
        }

        Directory.CreateDirectory(workspace.File("bundled"));
        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", prefix + ".img", "-c", cert, "-k", key, "-u", CliSiloFixture.Alice,
            "-d", "bundled", "-p", prefix, "--ec2cert", ec2Cert, "--batch", "--part-size", "32k");
        run.ExitCode.Should().Be(0, run.Error);
        return Manifest.Parse(await File.ReadAllTextAsync(workspace.File($"bundled/{prefix}.manifest.xml")));
    }
}
