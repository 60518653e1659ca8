using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2sim download-credentials [-d DIR]</c>: the account's X.509 signing certificate and its private key, as AWS
/// named the files it let you download: <c>cert-ID.pem</c> and <c>pk-ID.pem</c>, ID 32 characters of base32
/// (here the SHA-1 of the certificate, so the same certificate always gets the same names); and the region's EC2
/// certificate, <c>cert-ec2-REGION.pem</c>, which the AMI tools shipped as <c>cert-ec2.pem</c>.
/// </summary>
internal sealed class DownloadCredentialsCommand : ServiceCommand
{
    private static readonly Option<string> DirectoryOption = new("--directory", "-d")
    {
        Description = "The directory to write the three files in (created when missing). Default: the current directory.",
        HelpName = "DIR",
    };

    public DownloadCredentialsCommand(CliConsole console)
        : base("download-credentials", "Download the account's signing certificate and private key (CREDENTIALS cert-file private-key-file), and the region's EC2 certificate for ec2-bundle-image --ec2cert (EC2CERT region file).", console)
    {
        Options.Add(DirectoryOption);
    }

    public override string Usage => "ec2sim download-credentials [-d DIR]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var directory = Console.ResolvePath(parseResult.GetValue(DirectoryOption) ?? ".");
        var answer = await session.Sim().GetJsonAsync("/_sim/account/signing-credentials", cancellationToken);
        var certificatePem = JsonFields.Text(answer, "certificate") ?? throw new CliException(ExitCodes.Failure, "The simulator's answer has no certificate.");
        var privateKeyPem = JsonFields.Text(answer, "privateKey") ?? throw new CliException(ExitCodes.Failure, "The simulator's answer has no private key.");
        var id = CredentialId(certificatePem);

        Directory.CreateDirectory(directory);
        var certPath = Path.Combine(directory, $"cert-{id}.pem");
        var keyPath = Path.Combine(directory, $"pk-{id}.pem");
        await File.WriteAllTextAsync(certPath, certificatePem, cancellationToken);
        await PrivateFiles.WriteAsync(keyPath, privateKeyPem, cancellationToken);
        output.Add("credentials", new Record("CREDENTIALS").Field("certificate", certPath).Field("privateKey", keyPath));

        // The region's EC2 certificate, which the AMI tools shipped as cert-ec2.pem: ec2-bundle-image's --ec2cert.
        var region = session.Settings.Region;
        var ec2CertificatePem = System.Text.Encoding.UTF8.GetString(await session.Sim().SendAsync(HttpMethod.Get, "/_sim/region/ec2-certificate", null, null, cancellationToken));
        var ec2CertPath = Path.Combine(directory, $"cert-ec2-{region}.pem");
        await File.WriteAllTextAsync(ec2CertPath, ec2CertificatePem, cancellationToken);
        output.Add("ec2Certificate", new Record("EC2CERT").Field("region", region).Field("certificate", ec2CertPath));
        return ExitCodes.Success;
    }

    /// <summary>The base32 (RFC 4648 alphabet) of the certificate's SHA-1: 160 bits, exactly 32 characters.</summary>
    public static string CredentialId(string certificatePem)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        var hash = SHA1.HashData(certificate.RawData);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var chars = new char[32];
        for (var i = 0; i < 32; i++)
        {
            var bit = i * 5;
            var value = ((hash[bit / 8] << 8) | (bit / 8 + 1 < hash.Length ? hash[bit / 8 + 1] : 0)) >> (11 - (bit % 8)) & 31;
            chars[i] = alphabet[value];
        }

        return new string(chars);
    }
}
