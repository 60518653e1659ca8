using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3.Model;
using OrleansEc2.Bundling;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using Spectre.Console;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-download-bundle -b BUCKET[/PREFIX] (-p PREFIX | -m MANIFEST) -k PRIVATEKEY [-d DIRECTORY]</c>: downloads a
/// bundle's manifest and then each part it names, checking each part against the manifest's SHA-1, with the AMI tools'
/// lines. As the AMI tools, it does not unbundle: the private key only decrypts a manifest uploaded encrypted (the
/// pre-2007 tools' format, which no bundle here has), so it is read and checked, then left unused.
/// </summary>
internal sealed class DownloadBundleCommand : ServiceCommand
{
    public const string CommandName = "ec2-download-bundle";
    private const string DefaultPrefix = "image";

    private static readonly Option<string> BucketOption = BundleStorage.BucketOption("The bucket the bundle is in, with an optional '/'-delimited key prefix.");

    private static readonly Option<string> PrefixOption = new("--prefix", "-p")
    {
        Description = $"The bundle's file name prefix (the manifest is PREFIX.manifest.xml). Default: {DefaultPrefix}.",
        HelpName = "PREFIX",
    };

    private static readonly Option<string> ManifestOption = new("--manifest", "-m")
    {
        Description = "The manifest's file name in the bucket (without any path).",
        HelpName = "MANIFEST",
    };

    private static readonly Option<string> PrivateKeyOption = new("--privatekey", "-k")
    {
        Description = "The user's PEM encoded RSA private key (it decrypts a manifest of the pre-2007 AMI tools).",
        HelpName = "PRIVATEKEY",
        Required = true,
    };

    private static readonly Option<string> AccessKeyOption = BundleStorage.AccessKeyOption();

    private static readonly Option<string> SecretKeyOption = BundleStorage.SecretKeyOption();

    private static readonly Option<string> DirectoryOption = new("--directory", "-d")
    {
        Description = "The directory to save the bundle in (it must exist). Default: the current directory.",
        HelpName = "DIRECTORY",
    };

    private static readonly Option<bool> RetryOption = BundleStorage.RetryOption();

    public DownloadBundleCommand(CliConsole console)
        : base(CommandName, "Download a bundle's manifest and parts from S3, checking each part's digest.", console)
    {
        AddShortAlias();
        Options.Add(BucketOption);
        Options.Add(PrefixOption);
        Options.Add(ManifestOption);
        Options.Add(PrivateKeyOption);
        Options.Add(AccessKeyOption);
        Options.Add(SecretKeyOption);
        Options.Add(DirectoryOption);
        Options.Add(RetryOption);
    }

    public override string Usage =>
        "ec2sim ec2-download-bundle -b BUCKET[/PREFIX] (-p PREFIX | -m MANIFEST) -k PRIVATEKEY [-a ACCESS_KEY -s SECRET_KEY] [-d DIRECTORY] [--retry] [--url URL]";

    protected override (string? AccessKeyId, string? Secret)? CommandCredentials(ParseResult parseResult) =>
        BundleStorage.Credentials(parseResult.GetValue(AccessKeyOption), parseResult.GetValue(SecretKeyOption));

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var location = BundleLocation.Parse(parseResult.GetRequiredValue(BucketOption));
        var manifestName = ManifestName(parseResult.GetValue(PrefixOption), parseResult.GetValue(ManifestOption));
        using (PemKeys.LoadPrivateKey(ExistingFile(parseResult.GetRequiredValue(PrivateKeyOption))))
        {
        }

        var directory = ExistingDirectory(parseResult.GetValue(DirectoryOption) ?? ".");
        var s3 = await BundleStorage.ClientForBucketAsync(session, location.Bucket, parseResult.GetValue(RetryOption), cancellationToken);

        var manifestPath = Path.Combine(directory, manifestName);
        Console.Out.WriteLine($"Downloading manifest {manifestName} from {location.Bucket} to {manifestPath} ...");
        string manifestText;
        using (var response = await s3.GetObjectAsync(location.Bucket, location.KeyOf(manifestName), cancellationToken))
        using (var reader = new StreamReader(response.ResponseStream, new UTF8Encoding(false, throwOnInvalidBytes: true)))
        {
            manifestText = await reader.ReadToEndAsync(cancellationToken);
        }

        var manifest = BundleStorage.ParseManifest(manifestText, $"{location.Display}/{manifestName}");
        await File.WriteAllTextAsync(manifestPath, manifestText, cancellationToken);

        foreach (var part in manifest.Parts.OrderBy(p => p.Index))
        {
            var partPath = BundleStorage.PartPath(part, directory);
            Console.Out.WriteLine($"Downloading part {part.FileName} from {location.Display} to {partPath} ...");
            await DownloadPartAsync(s3, location, part, partPath, cancellationToken);
            Console.Out.WriteLine($"Downloaded {part.FileName} from {location.Bucket}");
        }

        return ExitCodes.Success;
    }

    /// <summary>The manifest's name from <c>-p</c> or <c>-m</c> (not both); <c>image.manifest.xml</c> without either, as the AMI tools.</summary>
    public static string ManifestName(string? prefix, string? manifest)
    {
        if (prefix is not null && manifest is not null)
        {
            throw CliException.Usage("Give either --prefix or --manifest, not both.");
        }

        var name = manifest ?? PartNames.ManifestFor(prefix ?? DefaultPrefix);
        return PartNames.IsPlainFileName(name)
            ? name
            : throw CliException.Usage($"Invalid value for --manifest: '{name}' is a file name in the bucket, without a path (give the path with -b BUCKET/PREFIX).");
    }

    /// <summary>A part, written beside its place first and moved there only once its SHA-1 is the manifest's.</summary>
    private static async Task DownloadPartAsync(Amazon.S3.AmazonS3Client s3, BundleLocation location, ManifestPart part, string partPath, CancellationToken cancellationToken)
    {
        var temporary = partPath + ".download";
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            using (var response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = location.Bucket, Key = location.KeyOf(part.FileName) }, cancellationToken))
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await response.ResponseStream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            BundleStorage.CheckDigest(part, hash.GetHashAndReset());
            File.Move(temporary, partPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
