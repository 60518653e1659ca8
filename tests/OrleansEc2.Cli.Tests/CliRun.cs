using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Cli.Tests;

/// <summary>What one in-process <c>ec2sim</c> run printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>
/// A temporary working directory with a user's and a region's keys and certificates as PEM files, in which
/// <c>ec2sim</c> commands run in-process.
/// </summary>
public sealed class CliWorkspace : IDisposable
{
    private static readonly Lazy<(string Key, string Cert)> UserPem = new(() => CreateIdentity("user-111122223333", pkcs8: false));
    private static readonly Lazy<(string Key, string Cert)> OtherUserPem = new(() => CreateIdentity("user-444455556666", pkcs8: true));
    private static readonly Lazy<(string Key, string Cert)> RegionPem = new(() => CreateIdentity("ec2-us-east-1", pkcs8: true));

    public CliWorkspace()
    {
        Path = Directory.CreateTempSubdirectory("ec2sim-cli-").FullName;
        System.IO.File.WriteAllText(File("user.key"), UserPem.Value.Key);
        System.IO.File.WriteAllText(File("user.crt"), UserPem.Value.Cert);
        System.IO.File.WriteAllText(File("other.key"), OtherUserPem.Value.Key);
        System.IO.File.WriteAllText(File("other.crt"), OtherUserPem.Value.Cert);
        System.IO.File.WriteAllText(File("ec2.key"), RegionPem.Value.Key);
        System.IO.File.WriteAllText(File("ec2.crt"), RegionPem.Value.Cert);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The environment the commands see: only what a test puts here (never the test process's own).</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>A live (terminal) console for progress displays; null runs the commands as if piped.</summary>
    public Spectre.Console.IAnsiConsole? Live { get; set; }

    public byte[] WriteImage(string name, int length, int seed = 1)
    {
        var image = new byte[length];
        var random = new Random(seed);
        random.NextBytes(image.AsSpan(0, length / 2));
        System.IO.File.WriteAllBytes(File(name), image);
        return image;
    }

    public async Task<CliRun> RunWithInputAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = new CliConsole(output, error, new StringReader(input), Path, new Dictionary<string, string>(Environment), Live);

        // A command that never ends (a wait that never completes) fails its test instead of hanging the run.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var exitCode = await Ec2SimCli.RunAsync(args, console, timeout.Token);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public Task<CliRun> RunAsync(params string[] args) => RunWithInputAsync("", args);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static (string Key, string Cert) CreateIdentity(string name, bool pkcs8)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return (pkcs8 ? rsa.ExportPkcs8PrivateKeyPem() : rsa.ExportRSAPrivateKeyPem(), certificate.ExportCertificatePem());
    }
}

/// <summary>
/// The commands' options are static fields (one set per process, as ec2sim has one command line); command trees built
/// concurrently would add parents to them at the same time, so the CLI tests run one after the other, against one
/// silo.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliCollection : ICollectionFixture<CliSiloFixture>, ICollectionFixture<TimedCliSiloFixture>
{
    public const string Name = "ec2sim";
}
