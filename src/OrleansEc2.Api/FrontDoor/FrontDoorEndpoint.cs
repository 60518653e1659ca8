using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Ec2;

namespace OrleansEc2.Api.FrontDoor;

/// <summary>
/// The one port's dispatch: the SigV4 credential scope's service says which API a request is for (<c>ec2</c> → the
/// Query API, <c>s3</c> → <see cref="IS3RequestHandler"/>); an unsigned request goes to EC2 when it looks like an EC2
/// Query request (<c>POST /</c> with a form body, or <c>?Action=</c>), to S3 otherwise.
/// </summary>
internal sealed class FrontDoorEndpoint(Ec2QueryEndpoint ec2, IS3RequestHandler s3)
{
    public Task HandleAsync(HttpContext context)
    {
        SigV4Signature? signature = null;
        SigV4Exception? parseError = null;
        try
        {
            signature = SigV4Verifier.Parse(context.Request);
        }
        catch (SigV4Exception e)
        {
            parseError = e;
        }

        if (signature is not null)
        {
            switch (signature.Scope.Service)
            {
                case Ec2Authenticator.Service:
                    return ec2.HandleAsync(context, signature, null);
                case "s3":
                    return s3.HandleAsync(context);
            }

            // Another service's scope: the Query API's own error when it looks like one, S3's otherwise.
            return LooksLikeEc2(context.Request) ? ec2.HandleAsync(context, signature, null) : s3.HandleAsync(context);
        }

        return LooksLikeEc2(context.Request) ? ec2.HandleAsync(context, null, parseError) : s3.HandleAsync(context);
    }

    public static bool LooksLikeEc2(HttpRequest request)
    {
        if (request.Path.Value is not (null or "" or "/"))
        {
            return false;
        }

        if (request.Query.ContainsKey("Action"))
        {
            return true;
        }

        return HttpMethods.IsPost(request.Method)
            && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;
    }
}
