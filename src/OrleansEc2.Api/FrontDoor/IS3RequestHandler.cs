using System.Text;
using Microsoft.AspNetCore.Http;

namespace OrleansEc2.Api.FrontDoor;

/// <summary>
/// The S3 REST API's entry point on the shared port. The front door hands it every request signed for service
/// <c>s3</c>, and every request that is not an EC2 Query request (unsigned, or with a signature it could not read);
/// the handler authenticates it itself (aws-chunked bodies need the signing key) and answers in S3's format.
/// Register an implementation in DI to replace <see cref="NotImplementedS3RequestHandler"/>.
/// </summary>
public interface IS3RequestHandler
{
    Task HandleAsync(HttpContext context);
}

/// <summary>Stands in until the S3 API exists: S3's error document, <c>AccessDenied</c> unsigned, <c>NotImplemented</c> otherwise.</summary>
public sealed class NotImplementedS3RequestHandler : IS3RequestHandler
{
    public Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var signed = request.Headers.Authorization.Count > 0 || request.Query.ContainsKey("X-Amz-Signature");
        return signed
            ? WriteErrorAsync(context, 501, Ec2ErrorCodes.NotImplemented, "The S3 API is not available on this endpoint yet.")
            : WriteErrorAsync(context, 403, Ec2ErrorCodes.AccessDenied, "Access Denied");
    }

    /// <summary>S3's error document: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;Resource/&gt;&lt;RequestId/&gt;&lt;/Error&gt;</c>.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        var requestId = Ec2Ids.RandomHex(16).ToUpperInvariant();
        var xml = new Ec2.Ec2XmlWriter(256)
            .Raw(Ec2.Ec2XmlWriter.Declaration)
            .Start("Error")
            .Element("Code", code)
            .Element("Message", message)
            .Element("Resource", context.Request.Path.Value ?? "/")
            .Element("RequestId", requestId)
            .End("Error")
            .ToString();
        var bytes = Encoding.UTF8.GetBytes(xml);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml";
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes).AsTask();
    }
}
