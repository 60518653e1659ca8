namespace OrleansEc2.Silo;

/// <summary>
/// The <c>Orleans</c> section of appsettings.json: the one-silo localhost cluster. ServiceId keys every stored grain
/// state and reminder, so it stays fixed across restarts (the defaults here are the ones appsettings.json has).
/// </summary>
public sealed class OrleansSettings
{
    public const string Section = "Orleans";

    public string ServiceId { get; set; } = "orleans-ec2";

    public string ClusterId { get; set; } = "orleans-ec2-local";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Where Orleans clients (<c>Ec2SimClient</c>, the CLI) connect.</summary>
    public int GatewayPort { get; set; } = 30000;
}
