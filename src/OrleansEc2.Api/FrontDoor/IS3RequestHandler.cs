using Microsoft.AspNetCore.Http;

namespace OrleansEc2.Api.FrontDoor;

/// <summary>
/// The S3 REST API's entry point on the shared port. The front door hands it every request signed for service
/// <c>s3</c>, and every request that is not an EC2 Query request (unsigned, or with a signature it could not read);
/// the handler authenticates it itself (aws-chunked bodies need the signing key) and answers in S3's format.
/// </summary>
public interface IS3RequestHandler
{
    Task HandleAsync(HttpContext context);
}
