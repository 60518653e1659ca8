using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OrleansEc2.Client;

/// <summary>
/// A connection to a running OrleansEc2 silo over Orleans (not HTTP), for scripted scenarios: grains are called
/// directly through <see cref="Grains"/>, or through the account-and-region entry point <see cref="ForAccount"/>.
/// Dispose it to close the connection.
/// </summary>
public sealed class Ec2SimClient : IAsyncDisposable
{
    private readonly IHost _host;

    private Ec2SimClient(IHost host, Ec2SimClientOptions options)
    {
        _host = host;
        Options = options;
        Cluster = host.Services.GetRequiredService<IClusterClient>();
    }

    public Ec2SimClientOptions Options { get; }

    /// <summary>The Orleans cluster client.</summary>
    public IClusterClient Cluster { get; }

    public IGrainFactory Grains => Cluster;

    /// <summary>
    /// Connects to the silo's gateway, retrying for <see cref="Ec2SimClientOptions.ConnectTimeout"/> while it does not
    /// answer (a silo still starting). Throws <see cref="Ec2SimConnectionException"/> when none answered in that time.
    /// </summary>
    public static async Task<Ec2SimClient> ConnectAsync(Ec2SimClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new Ec2SimClientOptions();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var connecting = Stopwatch.StartNew();
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(options.GatewayPort, options.ServiceId, options.ClusterId);
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (connecting.Elapsed >= options.ConnectTimeout)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), token);
                return true;
            });
        });

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new Ec2SimConnectionException(
                $"No OrleansEc2 silo answered on gateway port {options.GatewayPort} (ServiceId {options.ServiceId}, "
                + $"ClusterId {options.ClusterId}) within {options.ConnectTimeout}: {e.Message}",
                e);
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new Ec2SimClient(host, options);
    }

    /// <summary>Connects to the gateway on <paramref name="gatewayPort"/> with the default ServiceId and ClusterId.</summary>
    public static Task<Ec2SimClient> ConnectAsync(int gatewayPort, CancellationToken cancellationToken = default)
        => ConnectAsync(new Ec2SimClientOptions { GatewayPort = gatewayPort }, cancellationToken);

    /// <summary>Acts as <paramref name="accountId"/> (12 digits) in <paramref name="region"/> (<c>us-east-1</c>).</summary>
    public AccountRegionClient ForAccount(string accountId, string region) => new(this, accountId, region);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
        }
    }
}

/// <summary>No silo answered on the gateway; the message says where the client looked.</summary>
public sealed class Ec2SimConnectionException(string message, Exception innerException) : Exception(message, innerException);
