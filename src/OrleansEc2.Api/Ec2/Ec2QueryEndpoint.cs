using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.FrontDoor;
using OrleansEc2.Api.Sim;

namespace OrleansEc2.Api.Ec2;

/// <summary>
/// The EC2 Query API: <c>POST /</c> with a form body (or <c>GET /?Action=…</c>), signed for service <c>ec2</c>.
/// Authenticates, parses, runs the action and answers EC2's XML — or EC2's error document. Every request ends in a
/// well-formed answer and one log line.
/// </summary>
internal sealed partial class Ec2QueryEndpoint(
    Ec2Authenticator authenticator,
    IGrainFactory grains,
    ISimulationClock clock,
    Ec2Services services,
    IFaultInjector faults,
    ILoggerFactory loggers)
{
    /// <summary>
    /// The category of the per-request log lines. Not the class name: a host's usual <c>"Orleans": "Warning"</c> filter
    /// matches by prefix and would silence an <c>OrleansEc2.*</c> category.
    /// </summary>
    public const string LogCategory = "FrontDoor.Ec2Query";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);

    /// <summary>The largest request body accepted (ImportKeyPair's key material is the largest legitimate one).</summary>
    public const int MaxBodyBytes = 1 << 20;

    public const string DefaultVersion = "2016-11-15";

    private static readonly Dictionary<string, Ec2Action> Actions = Ec2ActionCatalog.Build();

    public static IReadOnlyCollection<string> ActionNames => Actions.Keys;

    public async Task HandleAsync(HttpContext context, SigV4Signature? signature, SigV4Exception? parseError)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = Ec2Ids.NewRequestId();
        string? actionName = null;
        string? accountId = null;
        string? errorCode = null;
        var status = 200;
        try
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            var caller = await authenticator.AuthenticateAsync(context.Request, signature, parseError, body);
            accountId = caller.AccountId;

            var parameters = QueryParameters.Parse(
                IsForm(context.Request) ? body.Span : default,
                SigV4Verifier.RawTarget(context.Request).Query,
                signature?.IsPresigned == true);
            var name = parameters.Get("Action");
            if (string.IsNullOrEmpty(name))
            {
                throw QueryParameters.Missing("Action");
            }

            if (!Actions.TryGetValue(name, out var action))
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidAction, $"The action {name} is not valid for this web service.");
            }

            actionName = action.Name;
            var version = parameters.Get("Version");
            if (string.IsNullOrEmpty(version))
            {
                throw QueryParameters.Missing("Version");
            }

            if (!VersionPattern().IsMatch(version))
            {
                throw new Ec2Exception(Ec2Errors.NoSuchVersion, $"The requested version ({version}) of service AmazonEC2 does not exist");
            }

            // An injected fault (/_sim/faults) answers before the action looks at anything, as a throttled call would.
            if (faults.HasAny && faults.TryFire(caller.AccountId, FaultTargets.Ec2Prefix + action.Name, requestId) is { } fault)
            {
                throw new InjectedFaultException(fault);
            }

            action.Parameters.EnsureKnown(parameters);
            var dryRun = parameters.GetBool("DryRun");
            var actionContext = new Ec2ActionContext(requestId, caller, parameters, dryRun, grains, clock, services);
            var result = await action.HandleAsync(actionContext);
            await WriteSuccessAsync(context.Response, action.Name, version, requestId, result);
        }
        catch (Ec2Exception e)
        {
            errorCode = e.Code;
            status = Ec2Errors.StatusOf(e.Code);
            await WriteErrorAsync(context.Response, status, e.Code, e.Message, requestId);
        }
        catch (InjectedFaultException e)
        {
            errorCode = e.Code;
            status = e.Status;
            await WriteErrorAsync(context.Response, status, e.Code, e.Message, requestId);
        }
        catch (BadHttpRequestException e)
        {
            // The server read a broken request (a body shorter than its Content-Length, say): the client's fault.
            errorCode = Ec2ErrorCodes.InvalidRequest;
            status = e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400;
            await WriteErrorAsync(context.Response, status, errorCode, "The request could not be read: " + e.Message, requestId);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            errorCode = "ClientClosedRequest";
            status = 499;
        }
        catch (Exception e)
        {
            errorCode = Ec2ErrorCodes.InternalError;
            status = 500;
            LogInternalError(_logger, e, requestId, actionName ?? "-");
            await WriteErrorAsync(context.Response, status, Ec2ErrorCodes.InternalError, Ec2Errors.InternalErrorMessage, requestId);
        }

        LogRequest(_logger, requestId, actionName ?? "-", accountId ?? "-", status, errorCode ?? "-", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>EC2's error document with its status; nothing when the answer has already started.</summary>
    public static Task WriteErrorAsync(HttpResponse response, int status, string code, string message, string requestId)
    {
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        response.ContentType = "text/xml;charset=UTF-8";
        response.Headers["x-amzn-RequestId"] = requestId;
        var bytes = Encoding.UTF8.GetBytes(Ec2Errors.Render(code, message, requestId));
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    private static async Task WriteSuccessAsync(HttpResponse response, string action, string version, string requestId, Ec2Body body)
    {
        var prefix = Encoding.UTF8.GetBytes(
            $"{Ec2XmlWriter.Declaration}\n<{action}Response xmlns=\"http://ec2.amazonaws.com/doc/{version}/\"><requestId>{requestId}</requestId>");
        var suffix = Encoding.UTF8.GetBytes($"</{action}Response>");
        response.StatusCode = 200;
        response.ContentType = "text/xml;charset=UTF-8";
        response.Headers["x-amzn-RequestId"] = requestId;
        response.ContentLength = prefix.Length + body.Utf8.Length + suffix.Length;
        var writer = response.BodyWriter;
        writer.Write(prefix);
        writer.Write(body.Utf8);
        writer.Write(suffix);
        await writer.FlushAsync();
    }

    private static bool IsForm(HttpRequest request)
    {
        var contentType = request.ContentType;
        return string.IsNullOrEmpty(contentType)
            || contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        if (request.ContentLength is { } length)
        {
            var exact = new byte[length];
            var read = 0;
            while (read < exact.Length)
            {
                var n = await request.Body.ReadAsync(exact.AsMemory(read), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return exact.AsMemory(0, read);
        }

        var buffer = new byte[4096];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length >= MaxBodyBytes)
                {
                    // One byte more than allowed tells a too-long body from one exactly at the limit.
                    var probe = new byte[1];
                    if (await request.Body.ReadAsync(probe, cancellationToken) > 0)
                    {
                        throw TooLarge();
                    }

                    break;
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBodyBytes));
            }

            var chunk = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (chunk == 0)
            {
                break;
            }

            total += chunk;
        }

        return buffer.AsMemory(0, total);
    }

    private static Ec2Exception TooLarge()
        => new(Ec2ErrorCodes.InvalidRequest, $"The request body is larger than the {MaxBodyBytes} bytes allowed.");

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    private static partial Regex VersionPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "EC2 {RequestId} {Action} account={AccountId} status={Status} code={ErrorCode} {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string requestId, string action, string accountId, int status, string errorCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "EC2 {RequestId} {Action} failed with an internal error")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string requestId, string action);
}
