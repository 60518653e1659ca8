using System.CommandLine;
using OrleansEc2.Bundling;
using Spectre.Console;

namespace OrleansEc2.Cli.Commands;

/// <summary><c>ec2-unbundle</c>: rebuilds the image from a bundle's parts and manifest, checking every digest.</summary>
internal sealed class UnbundleCommand : BaseCommand
{
    public const string CommandName = "ec2-unbundle";

    private static readonly Option<string> ManifestOption = new("--manifest", "-m")
    {
        Description = "The path to the manifest file.",
        HelpName = "MANIFEST",
        Required = true,
    };

    private static readonly Option<string> PrivateKeyOption = new("--privatekey", "-k")
    {
        Description = "The PEM encoded RSA private key that unseals the image key: the bundling user's, or the EC2 key of the region it was sealed for.",
        HelpName = "PRIVATEKEY",
        Required = true,
    };

    private static readonly Option<string> SourceOption = new("--source", "-s")
    {
        Description = "The directory containing the bundle's parts. Default: the current directory.",
        HelpName = "SOURCEDIR",
    };

    private static readonly Option<string> DestinationOption = new("--destination", "-d")
    {
        Description = "The directory in which to unbundle the image (it must exist). Default: the current directory.",
        HelpName = "DESTDIR",
    };

    private static readonly Option<string> CertOption = new("--cert", "-c")
    {
        Description = "The bundling user's certificate: when given, the manifest's signature is checked first.",
        HelpName = "CERT",
    };

    private static readonly Option<bool> BatchOption = new("--batch")
    {
        Description = "Run without interactive prompts.",
    };

    public UnbundleCommand(CliConsole console)
        : base(CommandName, "Rebuild an image from a bundle's parts and manifest (join, decrypt, uncompress, untar).", console)
    {
        AddShortAlias();
        Options.Add(ManifestOption);
        Options.Add(PrivateKeyOption);
        Options.Add(SourceOption);
        Options.Add(DestinationOption);
        Options.Add(CertOption);
        Options.Add(BatchOption);
    }

    public override string Usage => "ec2sim ec2-unbundle -m MANIFEST -k PRIVATEKEY [-s SOURCEDIR] [-d DESTDIR] [-c CERT]";

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var manifestPath = ExistingFile(parseResult.GetRequiredValue(ManifestOption));
        var keyPath = ExistingFile(parseResult.GetRequiredValue(PrivateKeyOption));
        var certPath = parseResult.GetValue(CertOption) is { } cert ? ExistingFile(cert) : null;
        var source = ExistingDirectory(parseResult.GetValue(SourceOption) ?? ".");
        var destination = ExistingDirectory(parseResult.GetValue(DestinationOption) ?? ".");

        var manifest = Manifest.Parse(await File.ReadAllTextAsync(manifestPath, cancellationToken));
        if (certPath is not null)
        {
            using var certificate = PemKeys.LoadCertificate(certPath);
            ManifestVerifier.VerifySignature(manifest, certificate);
        }

        using var privateKey = PemKeys.LoadPrivateKey(keyPath);
        var key = ManifestVerifier.Unseal(manifest, privateKey);
        await Unbundler.UnbundleToDirectoryAsync(manifest, key, new DirectoryPartSource(source), destination, cancellationToken: cancellationToken);
        Console.Out.WriteLine("Unbundle complete.");
        return ExitCodes.Success;
    }
}
