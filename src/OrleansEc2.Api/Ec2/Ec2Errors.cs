namespace OrleansEc2.Api.Ec2;

/// <summary>EC2's HTTP status for each error code, and the codes only the front door gives.</summary>
internal static class Ec2Errors
{
    public const string MissingAuthenticationToken = "MissingAuthenticationToken";
    public const string IncompleteSignature = "IncompleteSignature";
    public const string NoSuchVersion = "NoSuchVersion";
    public const string RequestLimitExceeded = "RequestLimitExceeded";
    public const string ServiceUnavailable = "Unavailable";

    public const string DryRunMessage = "Request would have succeeded, but DryRun flag is set.";
    public const string UnauthorizedMessage = "You are not authorized to perform this operation.";
    public const string InternalErrorMessage = "An internal error has occurred";

    public static int StatusOf(string code) => code switch
    {
        Ec2ErrorCodes.AuthFailure or MissingAuthenticationToken => 401,
        Ec2ErrorCodes.UnauthorizedOperation or Ec2ErrorCodes.SignatureDoesNotMatch or Ec2ErrorCodes.InvalidAccessKeyId => 403,
        Ec2ErrorCodes.DryRunOperation => 412,
        RequestLimitExceeded or ServiceUnavailable => 503,
        Ec2ErrorCodes.InternalError => 500,
        _ => 400,
    };

    public static Ec2Exception DryRun() => new(Ec2ErrorCodes.DryRunOperation, DryRunMessage);

    public static Ec2Exception Unauthorized() => new(Ec2ErrorCodes.UnauthorizedOperation, UnauthorizedMessage);

    /// <summary>EC2's error document.</summary>
    public static string Render(string code, string message, string requestId)
    {
        return new Ec2XmlWriter(256)
            .Raw(Ec2XmlWriter.Declaration)
            .Start("Response").Start("Errors").Start("Error")
            .Element("Code", code)
            .Element("Message", message)
            .End("Error").End("Errors")
            .Element("RequestID", requestId)
            .End("Response")
            .ToString();
    }
}
