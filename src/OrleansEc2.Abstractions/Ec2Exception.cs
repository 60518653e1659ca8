namespace OrleansEc2;

/// <summary>
/// The one error type of the simulator: an EC2 or S3 error code with a message meant for the caller.
/// Grains throw it; the HTTP layer maps it to the API's XML error; the CLI prints it and exits non-zero.
/// </summary>
[GenerateSerializer, Alias("OrleansEc2.Ec2Exception")]
public sealed class Ec2Exception : Exception
{
    public Ec2Exception(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>The error code exactly as EC2 or S3 spells it, e.g. <c>IncorrectInstanceState</c>.</summary>
    [Id(0)]
    public string Code { get; }

    public override string ToString() => $"{Code}: {Message}";
}
