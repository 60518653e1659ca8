using System.Net.Sockets;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using OrleansEc2.Cli.Settings;

namespace OrleansEc2.Cli.Service;

/// <summary>
/// The clients of one command run: the AWS SDK's EC2 and S3 clients pointed at the simulator (<c>ServiceURL</c> and
/// <c>AuthenticationRegion</c>, path-style for S3, as a user would configure them) and the signed <c>/_sim/</c> client.
/// </summary>
internal sealed class Ec2SimSession(Ec2SimSettings settings) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(5) };
    private readonly Dictionary<string, AmazonEC2Client> _ec2 = new(StringComparer.Ordinal);
    private readonly List<AmazonS3Client> _s3 = [];

    public Ec2SimSettings Settings { get; } = settings;

    /// <summary>The EC2 client for the settings' region, or for <paramref name="region"/>.</summary>
    public AmazonEC2Client Ec2(string? region = null)
    {
        region ??= Settings.Region;
        if (!_ec2.TryGetValue(region, out var client))
        {
            client = new AmazonEC2Client(
                new BasicAWSCredentials(Settings.AccessKeyId, Settings.SecretAccessKey),
                new AmazonEC2Config
                {
                    ServiceURL = Settings.ServiceUrl,
                    AuthenticationRegion = region,
                    // A launch from an image that is still being unbundled answers 503, which is worth retrying; a silo
                    // that is not there should be said so quickly.
                    MaxErrorRetry = 2,
                });
            _ec2[region] = client;
        }

        return client;
    }

    /// <summary>
    /// An S3 client signing for <paramref name="region"/> (a bucket answers only requests signed for its own region),
    /// retrying an error <paramref name="maxErrorRetry"/> times.
    /// </summary>
    public AmazonS3Client S3(string region, int maxErrorRetry)
    {
        var client = new AmazonS3Client(
            new BasicAWSCredentials(Settings.AccessKeyId, Settings.SecretAccessKey),
            new AmazonS3Config
            {
                ServiceURL = Settings.ServiceUrl,
                ForcePathStyle = true,
                AuthenticationRegion = region,
                MaxErrorRetry = maxErrorRetry,
            });
        _s3.Add(client);
        return client;
    }

    /// <summary>The <c>/_sim/</c> client, signing as the settings' account for their region.</summary>
    public SimClient Sim() => new(_http, Settings);

    /// <summary>Whether an exception is the endpoint not answering at all (refused, unknown host, reset, timed out).</summary>
    public static bool IsUnreachable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        foreach (var client in _ec2.Values)
        {
            client.Dispose();
        }

        foreach (var client in _s3)
        {
            client.Dispose();
        }

        _http.Dispose();
    }
}
