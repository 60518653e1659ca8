using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-get-password INSTANCE -k PRIVATE_KEY_FILE</c>: fetches the Windows administrator password sealed to the
/// instance's key pair and decrypts it locally with the key pair's private key. Prints nothing when the instance has
/// no password data (not yet, or an instance of a bundled image, which keeps the bundled instance's password).
/// </summary>
internal sealed class GetPasswordCommand : ServiceCommand
{
    private static readonly Argument<string> InstanceArgument = new("INSTANCE")
    {
        Description = "The Windows instance.",
    };

    private static readonly Option<string> PrivateKeyOption = new("--priv-launch-key", "-k")
    {
        Description = "The private key (PEM) of the key pair the instance was launched with.",
        HelpName = "PRIVATE_KEY_FILE",
        Required = true,
    };

    public GetPasswordCommand(CliConsole console)
        : base("ec2-get-password", "Get and decrypt a Windows instance's administrator password.", console)
    {
        AddShortAlias();
        Arguments.Add(InstanceArgument);
        Options.Add(PrivateKeyOption);
    }

    public override string Usage => "ec2sim ec2-get-password INSTANCE -k PRIVATE_KEY_FILE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var keyPath = ExistingFile(parseResult.GetRequiredValue(PrivateKeyOption));
        using var key = RSA.Create();
        try
        {
            key.ImportFromPem(await File.ReadAllTextAsync(keyPath, cancellationToken));
        }
        catch (ArgumentException)
        {
            throw new CliException(ExitCodes.Failure, $"{keyPath}: not a PEM RSA private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY).");
        }

        var instanceId = parseResult.GetRequiredValue(InstanceArgument);
        var data = await session.Ec2().GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = instanceId }, cancellationToken);
        string? password = null;
        if (!string.IsNullOrWhiteSpace(data.PasswordData))
        {
            try
            {
                password = Encoding.UTF8.GetString(key.Decrypt(Convert.FromBase64String(data.PasswordData.Trim()), RSAEncryptionPadding.Pkcs1));
            }
            catch (Exception e) when (e is CryptographicException or FormatException)
            {
                throw new CliException(
                    ExitCodes.Failure,
                    $"The password of {instanceId} cannot be decrypted with {keyPath}: it is not the private key of the key pair the instance was launched with.");
            }

            output.Text(password + "\n");
        }

        output.Value("instanceId", data.InstanceId ?? instanceId);
        output.Value("timestamp", data.Timestamp);
        output.Value("password", password);
        return ExitCodes.Success;
    }
}
