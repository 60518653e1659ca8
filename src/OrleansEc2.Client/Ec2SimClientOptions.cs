namespace OrleansEc2.Client;

/// <summary>How to reach a silo's Orleans gateway. The defaults are those of the repository's appsettings.json.</summary>
public sealed class Ec2SimClientOptions
{
    /// <summary>The silo's <c>Orleans:GatewayPort</c> on this machine (127.0.0.1).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The silo's <c>Orleans:ServiceId</c>.</summary>
    public string ServiceId { get; set; } = "orleans-ec2";

    /// <summary>The silo's <c>Orleans:ClusterId</c>.</summary>
    public string ClusterId { get; set; } = "orleans-ec2-local";

    /// <summary>How long <see cref="Ec2SimClient.ConnectAsync(Ec2SimClientOptions?, CancellationToken)"/> keeps trying a gateway that does not answer yet.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
