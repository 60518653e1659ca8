namespace OrleansEc2.Api.Ec2;

/// <summary>Everything an action needs for one request: who asks, what they asked, and the cluster.</summary>
internal sealed class Ec2ActionContext(
    string requestId,
    Caller caller,
    QueryParameters parameters,
    bool dryRun,
    IGrainFactory grains,
    ISimulationClock clock,
    Ec2Services services)
{
    public string RequestId { get; } = requestId;

    public Caller Caller { get; } = caller;

    public string AccountId => Caller.AccountId;

    public QueryParameters Parameters { get; } = parameters;

    public bool DryRun { get; } = dryRun;

    public IGrainFactory Grains { get; } = grains;

    public ISimulationClock Clock { get; } = clock;

    public Ec2Services Services { get; } = services;

    public IAccountRegionGrain AccountRegion => Grains.GetGrain<IAccountRegionGrain>(Caller.AccountRegionKey);

    public IInstanceGrain Instance(string instanceId) => Grains.GetGrain<IInstanceGrain>(instanceId);

    /// <summary>Past every check a real request would pass: a dry run stops here with <c>DryRunOperation</c>.</summary>
    public void ThrowIfDryRun()
    {
        if (DryRun)
        {
            throw Ec2Errors.DryRun();
        }
    }
}

/// <summary>The body of a successful answer: the XML that follows <c>requestId</c> inside the response element, UTF-8.</summary>
internal readonly record struct Ec2Body(byte[] Utf8)
{
    public static Ec2Body From(Ec2XmlWriter writer) => new(System.Text.Encoding.UTF8.GetBytes(writer.ToString()));

    public static readonly Ec2Body ReturnTrue = new("<return>true</return>"u8.ToArray());
}

/// <summary>One action of the Query API: the parameters it takes and what it does.</summary>
internal sealed record Ec2Action(string Name, ParameterSchema Parameters, Func<Ec2ActionContext, Task<Ec2Body>> HandleAsync);
