using System.Net;
using Amazon.Runtime;

namespace OrleansEc2.Cli.Service;

/// <summary>
/// The error of a task that failed (a bundle task, a migration) as a service error, so it prints as
/// <c>Client.&lt;Code&gt;: &lt;message&gt;</c> and exits with 3. Task error codes may already carry their side
/// (<c>Client.Cancelled</c>), which is then not repeated.
/// </summary>
internal static class TaskErrors
{
    public static AmazonServiceException Failed(string what, string? code, string? message)
    {
        var type = ErrorType.Sender;
        code ??= "TaskFailed";
        if (code.StartsWith("Client.", StringComparison.Ordinal))
        {
            code = code["Client.".Length..];
        }
        else if (code.StartsWith("Server.", StringComparison.Ordinal))
        {
            code = code["Server.".Length..];
            type = ErrorType.Receiver;
        }

        return new AmazonServiceException($"{what} failed: {message ?? "no reason given"}", type, code, "", HttpStatusCode.BadRequest);
    }
}
