using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.FrontDoor;

namespace OrleansEc2.Api.Sim;

/// <summary>
/// <c>/_sim/…</c>: what AWS has no API for — guest actions inside an instance, the account's signing certificate
/// and key, the simulation clock, migrations (<see cref="SimMigrations"/>), injected faults (<see cref="SimFaults"/>). Signed with SigV4 for service <c>ec2</c>
/// as the account; JSON answers and JSON errors <c>{ "code": …, "message": … }</c>.
/// </summary>
internal sealed partial class SimEndpoint(
    Ec2Authenticator authenticator,
    IGrainFactory grains,
    ISimulationClock clock,
    IFaultInjector faults,
    ILoggerFactory loggers)
{
    /// <summary>The category of the per-request log lines (see <see cref="Ec2.Ec2QueryEndpoint.LogCategory"/>).</summary>
    public const string LogCategory = "FrontDoor.Sim";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);

    /// <summary>The largest file a guest write accepts.</summary>
    public const int MaxBodyBytes = 64 << 20;

    public const string ClockNotSimulated = "ClockNotSimulated";
    public const string NotFound = "NotFound";
    public const string MethodNotAllowed = "MethodNotAllowed";


    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var route = request.Path.Value ?? "";
        string? accountId = null;
        string? errorCode = null;
        try
        {
            SigV4Signature? signature = null;
            SigV4Exception? parseError = null;
            try
            {
                signature = SigV4Verifier.Parse(request);
            }
            catch (SigV4Exception e)
            {
                parseError = e;
            }

            var body = await ReadBodyAsync(request, context.RequestAborted);
            var caller = await authenticator.AuthenticateAsync(request, signature, parseError, body);
            accountId = caller.AccountId;
            await DispatchAsync(context, caller, body);
        }
        catch (Ec2Exception e)
        {
            errorCode = e.Code;
            await WriteErrorAsync(context.Response, StatusOf(e.Code), e.Code, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            errorCode = Ec2ErrorCodes.InvalidRequest;
            await WriteErrorAsync(context.Response, e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, errorCode, "The request could not be read: " + e.Message);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            errorCode = "ClientClosedRequest";
        }
        catch (Exception e)
        {
            errorCode = Ec2ErrorCodes.InternalError;
            LogInternalError(_logger, e, request.Method, route);
            await WriteErrorAsync(context.Response, 500, Ec2ErrorCodes.InternalError, Ec2Errors.InternalErrorMessage);
        }

        LogRequest(_logger, request.Method, route, accountId ?? "-", context.Response.StatusCode, errorCode ?? "-", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task DispatchAsync(HttpContext context, Caller caller, ReadOnlyMemory<byte> body)
    {
        var request = context.Request;
        var method = request.Method;
        var segments = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);

        // segments[0] is "_sim".
        switch (segments.Skip(1).ToArray())
        {
            case ["clock"]:
                RequireMethod(method, HttpMethods.Get);
                await SimJson.WriteAsync(context.Response, 200, ClockJson());
                return;

            case ["clock", "advance"]:
                RequireMethod(method, HttpMethods.Post);
                var by = AdvanceBy(request);
                if (!clock.IsSimulated)
                {
                    throw new Ec2Exception(ClockNotSimulated, "The simulation runs on the system clock, which cannot be advanced. Start the silo with Clock:Mode=Simulated.");
                }

                clock.Advance(by);
                await SimJson.WriteAsync(context.Response, 200, ClockJson());
                return;

            case ["account", "signing-certificate"]:
                RequireMethod(method, HttpMethods.Get);
                await WriteTextAsync(context, "application/x-pem-file", await grains.GetGrain<IAccountGrain>(caller.AccountId).GetSigningCertificatePemAsync());
                return;

            case ["account", "signing-key"]:
                RequireMethod(method, HttpMethods.Get);
                await WriteTextAsync(context, "application/x-pem-file", (await grains.GetGrain<IAccountGrain>(caller.AccountId).GetSigningCredentialsAsync()).PrivateKeyPem);
                return;

            case ["account", "signing-credentials"]:
                RequireMethod(method, HttpMethods.Get);
                var credentials = await grains.GetGrain<IAccountGrain>(caller.AccountId).GetSigningCredentialsAsync();
                await SimJson.WriteAsync(context.Response, 200, new { certificate = credentials.CertificatePem, privateKey = credentials.PrivateKeyPem });
                return;

            case ["region", "ec2-certificate"]:
                // The signing region's EC2 certificate: what ec2-bundle-image's --ec2cert seals the bundle key for. The
                // AMI tools shipped it as a file (cert-ec2.pem); here each region has its own key.
                RequireMethod(method, HttpMethods.Get);
                await WriteTextAsync(context, "application/x-pem-file", await grains.GetGrain<IRegionGrain>(caller.Region).GetEc2CertificatePemAsync());
                return;

            case ["faults", .. var fault]:
                await SimFaults.HandleAsync(context, faults, caller, fault, body);
                return;

            case ["migrations", .. var migration]:
                await SimMigrations.HandleAsync(context, grains, caller, migration, body);
                return;

            case ["instances", var instanceId, .. var action]:
                Ec2Ids.EnsureInstanceId(instanceId);
                await InstanceActionAsync(context, grains.GetGrain<IInstanceGrain>(instanceId), instanceId, caller.AccountId, action, body);
                return;

            default:
                throw new Ec2Exception(NotFound, $"No simulator endpoint at {request.Path.Value}.");
        }
    }

    private async Task InstanceActionAsync(HttpContext context, IInstanceGrain instance, string instanceId, string accountId, string[] action, ReadOnlyMemory<byte> body)
    {
        var method = context.Request.Method;
        switch (action)
        {
            case ["files"]:
                RequireMethod(method, HttpMethods.Get);
                var files = await instance.ListFilesAsync(accountId);
                await SimJson.WriteAsync(context.Response, 200, new { instanceId, files = files.Select(f => new { path = f.Path, length = f.Length, isTemporary = f.IsTemporary }) });
                return;

            case ["file"]:
                var path = context.Request.Query["path"].ToString();
                if (path.Length == 0)
                {
                    throw QueryParameters.Missing("path");
                }

                if (HttpMethods.IsGet(method))
                {
                    var content = await instance.ReadFileAsync(accountId, path);
                    context.Response.ContentType = "application/octet-stream";
                    context.Response.ContentLength = content.Length;
                    await context.Response.Body.WriteAsync(content);
                }
                else if (HttpMethods.IsPut(method))
                {
                    await instance.WriteFileAsync(accountId, path, body.ToArray());
                    await SimJson.WriteAsync(context.Response, 200, new { instanceId, path, length = body.Length });
                }
                else if (HttpMethods.IsDelete(method))
                {
                    await instance.DeleteFileAsync(accountId, path);
                    await SimJson.WriteAsync(context.Response, 200, new { instanceId, path, deleted = true });
                }
                else
                {
                    throw new Ec2Exception(MethodNotAllowed, $"{method} is not allowed here; use GET, PUT or DELETE.");
                }

                return;

            case ["disk-cleanup"]:
                RequireMethod(method, HttpMethods.Post);
                var removed = await instance.DiskCleanupAsync(accountId);
                await SimJson.WriteAsync(context.Response, 200, new { instanceId, removedFiles = removed });
                return;

            case ["defragment"]:
                RequireMethod(method, HttpMethods.Post);
                await instance.DefragmentAsync(accountId);
                await SimJson.WriteAsync(context.Response, 200, new { instanceId, defragmented = true });
                return;

            case ["zero-free-space"]:
                RequireMethod(method, HttpMethods.Post);
                await instance.ZeroFreeSpaceAsync(accountId);
                await SimJson.WriteAsync(context.Response, 200, new { instanceId, zeroedFreeSpace = true });
                return;

            case ["administrator-password"]:
                RequireMethod(method, HttpMethods.Put);
                string password;
                try
                {
                    password = new UTF8Encoding(false, true).GetString(body.Span);
                }
                catch (DecoderFallbackException)
                {
                    throw QueryParameters.Invalid("The password must be UTF-8 text.");
                }

                if (password.Length == 0)
                {
                    throw QueryParameters.Missing("password (the request body)");
                }

                await instance.SetAdministratorPasswordAsync(accountId, password);
                await SimJson.WriteAsync(context.Response, 200, new { instanceId, passwordSet = true });
                return;

            case ["shutdown"]:
                // The guest shuts itself down: the instance stops or terminates as its instanceInitiatedShutdownBehavior says.
                RequireMethod(method, HttpMethods.Post);
                var change = await instance.InitiateShutdownAsync(accountId);
                await SimJson.WriteAsync(context.Response, 200, new { instanceId, previousState = change.Previous.ToEc2Name(), currentState = change.Current.ToEc2Name() });
                return;

            case ["user-data"]:
                // What the guest reads from http://169.254.169.254/latest/user-data: the decoded bytes.
                RequireMethod(method, HttpMethods.Get);
                var userData = await instance.DescribeUserDataAsync(accountId)
                    ?? throw new Ec2Exception(NotFound, $"The instance '{instanceId}' has no user data.");
                var bytes = Convert.FromBase64String(userData);
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes);
                return;

            default:
                throw new Ec2Exception(NotFound, $"No simulator endpoint at {context.Request.Path.Value}.");
        }
    }

    private object ClockJson() => new
    {
        now = Ec2XmlWriter.FormatTimestamp(clock.UtcNow),
        simulated = clock.IsSimulated,
    };

    /// <summary><c>?seconds=N</c> or <c>?by=hh:mm:ss</c> (a TimeSpan, e.g. <c>1.00:00:00</c> for a day).</summary>
    private static TimeSpan AdvanceBy(HttpRequest request)
    {
        var seconds = request.Query["seconds"].ToString();
        var by = request.Query["by"].ToString();
        if (seconds.Length > 0)
        {
            if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0 || value > 3.15e9)
            {
                throw QueryParameters.Invalid($"seconds must be a non-negative number of seconds, not '{seconds}'.");
            }

            return TimeSpan.FromSeconds(value);
        }

        if (by.Length > 0)
        {
            if (!TimeSpan.TryParse(by, CultureInfo.InvariantCulture, out var span) || span < TimeSpan.Zero)
            {
                throw QueryParameters.Invalid($"by must be a non-negative time span (hh:mm:ss or d.hh:mm:ss), not '{by}'.");
            }

            return span;
        }

        throw QueryParameters.Missing("seconds (or by)");
    }

    /// <summary><c>MethodNotAllowed</c> unless the request's method is <paramref name="expected"/>.</summary>
    internal static void RequireMethod(string method, string expected)
    {
        if (!string.Equals(method, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception(MethodNotAllowed, $"{method} is not allowed here; use {expected}.");
        }
    }

    private static int StatusOf(string code) => code switch
    {
        NotFound => 404,
        MethodNotAllowed => 405,
        ClockNotSimulated => 409,
        _ when code.EndsWith(".NotFound", StringComparison.Ordinal) => 404,
        _ => Ec2Errors.StatusOf(code),
    };

    private static async Task WriteTextAsync(HttpContext context, string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        context.Response.StatusCode = 200;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    public static async Task WriteErrorAsync(HttpResponse response, int status, string code, string message)
    {
        if (response.HasStarted)
        {
            return;
        }

        await SimJson.WriteAsync(response, status, new { code, message });
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidRequest, $"The request body is larger than the {MaxBodyBytes} bytes allowed.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            var read = await request.Body.ReadAsync(chunk, cancellationToken);
            if (read == 0)
            {
                break;
            }

            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidRequest, $"The request body is larger than the {MaxBodyBytes} bytes allowed.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SIM {Method} {Route} account={AccountId} status={Status} code={ErrorCode} {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string route, string accountId, int status, string errorCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "SIM {Method} {Route} failed with an internal error")]
    private static partial void LogInternalError(ILogger logger, Exception exception, string method, string route);
}
