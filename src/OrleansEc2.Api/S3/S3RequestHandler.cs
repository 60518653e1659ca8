using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using OrleansEc2.Api.FrontDoor;
using OrleansEc2.Api.Sim;

namespace OrleansEc2.Api.S3;

/// <summary>
/// The S3 REST API (path-style <c>/{bucket}/{key}</c>) on the front door's port: authenticates every request with
/// SigV4, routes it to its operation and answers S3's XML — or S3's error document with the status S3 gives. Every
/// request ends in one log line (request id, operation, account, bucket, status, error code).
/// </summary>
internal sealed partial class S3RequestHandler(
    S3Authenticator authenticator,
    S3Operations operations,
    IFaultInjector faults,
    ILoggerFactory loggers) : IS3RequestHandler
{
    /// <summary>
    /// The category of the per-request log lines, beside the EC2 front door's: not the class name, which a host's usual
    /// <c>"Orleans": "Warning"</c> filter (a prefix match) would silence.
    /// </summary>
    public const string LogCategory = "FrontDoor.S3";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.Headers["x-amz-id-2"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

        S3Route? route = null;
        string? accountId = null;
        string? errorCode = null;
        try
        {
            route = S3Route.Parse(context.Request);
            if (route.Operation == S3Route.PostObject)
            {
                // A browser's form carries its credentials in its fields (policy and signature), not in a header.
                var posted = route;
                await operations.PostObjectAsync(context, route, async (account, key) =>
                {
                    accountId = account;
                    await FireFaultAsync(context, account, posted, requestId, key);
                });
            }
            else
            {
                var caller = await authenticator.AuthenticateAsync(context.Request);
                accountId = caller.AccountId;
                await FireFaultAsync(context, caller.AccountId, route, requestId, route.Key);
                await operations.RunAsync(new S3RequestContext(context, requestId, route, caller));
            }
        }
        catch (InjectedFaultException e)
        {
            errorCode = e.Code;
            await WriteErrorAsync(context, route, new Ec2Exception(e.Code, e.Message), requestId, e.Status);
        }
        catch (Ec2Exception e)
        {
            errorCode = e.Code;
            await WriteErrorAsync(context, route, e, requestId);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            errorCode = "ClientClosedRequest";
        }
        catch (BadHttpRequestException e)
        {
            errorCode = Ec2ErrorCodes.IncompleteBody;
            await WriteErrorAsync(context, route, S3Errors.IncompleteBody(e.Message), requestId);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            errorCode = Ec2ErrorCodes.InternalError;
            LogInternalError(_logger, e, requestId, route?.OperationName ?? "-");
            await WriteErrorAsync(context, route, new Ec2Exception(Ec2ErrorCodes.InternalError, S3Errors.InternalErrorMessage), requestId);
        }
        catch (Exception)
        {
            errorCode = "ClientClosedRequest";
        }

        LogRequest(
            _logger,
            requestId,
            route?.OperationName ?? "-",
            accountId ?? "-",
            route?.Bucket ?? "-",
            errorCode == "ClientClosedRequest" ? 499 : context.Response.StatusCode,
            errorCode ?? "-",
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>The account's injected fault on this operation, if one is armed: the body is discarded and the fault answered.</summary>
    private async Task FireFaultAsync(HttpContext context, string accountId, S3Route route, string requestId, string? key)
    {
        if (faults.HasAny && faults.TryFire(accountId, FaultTargets.S3Prefix + route.OperationName, requestId, route.Bucket, key) is { } fault)
        {
            await DiscardBodyAsync(context);
            throw new InjectedFaultException(fault);
        }
    }

    /// <summary>
    /// Reads a faulted request's body to its end, storing nothing, so that the connection is ready for the SDK's retry.
    /// A client waiting on <c>Expect: 100-continue</c> has sent no body: the connection is closed after the answer
    /// instead, as the client may not know whether to send it.
    /// </summary>
    private static async Task DiscardBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Connection = "close";
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await request.Body.ReadAsync(buffer, context.RequestAborted) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, S3Route? route, Ec2Exception error, string requestId, int? status = null)
    {
        if (context.Response.HasStarted)
        {
            // The status line is gone: all that is left to say is that the body is not whole.
            context.Abort();
            return;
        }

        status ??= S3Errors.StatusOf(error.Code);
        var extra = new List<KeyValuePair<string, string>>();
        if (error.Code == S3Errors.MethodNotAllowed)
        {
            extra.Add(new("Method", context.Request.Method));
            extra.Add(new("ResourceType", route?.Key is not null ? "OBJECT" : route?.Bucket is not null ? "BUCKET" : "SERVICE"));
        }

        extra.AddRange(S3Errors.ElementsOf(error));

        if (error.Code is Ec2ErrorCodes.NoSuchBucket or Ec2ErrorCodes.NoSuchKey && route?.Bucket is { } bucket)
        {
            extra.Add(new("BucketName", bucket));
            if (route.Key is { } key)
            {
                extra.Add(new("Key", key));
            }
        }

        foreach (var header in context.Response.Headers.Where(h => !IsKeptOnError(h.Key)).Select(h => h.Key).ToList())
        {
            context.Response.Headers.Remove(header);
        }

        await S3Xml.WriteErrorAsync(context, status.Value, error.Code, error.Message, requestId, extra);
    }

    // An error replaces whatever an operation had begun to answer, except the request's identity and what the error sets.
    private static bool IsKeptOnError(string header) =>
        header.Equals("x-amz-request-id", StringComparison.OrdinalIgnoreCase)
        || header.Equals("x-amz-id-2", StringComparison.OrdinalIgnoreCase)
        || header.Equals("Content-Range", StringComparison.OrdinalIgnoreCase)
        || header.Equals("Connection", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Information, Message = "S3 {RequestId} {Operation} account={AccountId} bucket={Bucket} status={Status} code={ErrorCode} {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string requestId, string operation, string accountId, string bucket, int status, string errorCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "S3 {RequestId} {Operation} failed with an internal error")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string requestId, string operation);
}
