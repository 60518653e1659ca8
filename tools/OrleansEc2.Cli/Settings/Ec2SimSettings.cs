namespace OrleansEc2.Cli.Settings;

/// <summary>Where and as whom <c>ec2sim</c> calls the simulator: its endpoint, the region, the account's access key.</summary>
internal sealed record Ec2SimSettings(Uri Url, string Region, string AccessKeyId, string SecretAccessKey)
{
    public const string DefaultUrl = "http://127.0.0.1:8773";
    public const string DefaultRegion = "us-east-1";

    /// <summary>The endpoint as the SDK's <c>ServiceURL</c> takes it: no trailing slash.</summary>
    public string ServiceUrl => Url.ToString().TrimEnd('/');
}
