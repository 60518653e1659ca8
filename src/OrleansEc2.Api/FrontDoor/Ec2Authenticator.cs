using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Ec2;

namespace OrleansEc2.Api.FrontDoor;

/// <summary>
/// Authenticates a request signed for service <c>ec2</c> (the Query API and the <c>/_sim/</c> endpoints): the
/// signature checks out against the account's key and the scope names a configured region. Refusals are
/// <see cref="Ec2Exception"/>s with the codes EC2 gives.
/// </summary>
public sealed class Ec2Authenticator(SigV4Verifier verifier, ConfiguredRegions regions)
{
    public const string Service = "ec2";

    /// <summary>
    /// The caller of a request whose body is <paramref name="body"/>; <paramref name="signature"/> is null for an
    /// unsigned request, <paramref name="parseError"/> set when its signature could not be read.
    /// </summary>
    public async Task<Caller> AuthenticateAsync(HttpRequest request, SigV4Signature? signature, SigV4Exception? parseError, ReadOnlyMemory<byte> body)
    {
        if (parseError is not null)
        {
            throw Map(parseError);
        }

        if (signature is null)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.AuthFailure,
                "AWS was not able to validate the provided access credentials: the request is not signed (AWS Signature Version 4 is required).");
        }

        if (signature.Scope.Service != Service)
        {
            throw new Ec2Exception(Ec2ErrorCodes.AuthFailure, $"Credential should be scoped to correct service: '{Service}'.");
        }

        if (await regions.FindAsync(signature.Scope.Region) is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.AuthFailure, $"Credential should be scoped to a valid region, not '{signature.Scope.Region}'.");
        }

        var payloadHash = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        VerifiedRequest verified;
        try
        {
            verified = await verifier.VerifyAsync(request, signature, payloadHash);
        }
        catch (SigV4Exception e)
        {
            throw Map(e);
        }

        return new Caller(verified.Key.AccountId, signature.Scope.Region);
    }

    public static Ec2Exception Map(SigV4Exception e) => e.Failure switch
    {
        SigV4Failure.Missing => new Ec2Exception(Ec2ErrorCodes.AuthFailure, e.Message),
        SigV4Failure.Malformed => new Ec2Exception(Ec2Errors.IncompleteSignature, e.Message),
        SigV4Failure.UnknownAccessKey => new Ec2Exception(Ec2ErrorCodes.AuthFailure, "AWS was not able to validate the provided access credentials"),
        SigV4Failure.SignatureMismatch => new Ec2Exception(Ec2ErrorCodes.SignatureDoesNotMatch, e.Message),
        SigV4Failure.Expired => new Ec2Exception(Ec2ErrorCodes.RequestExpired, "Request has expired."),
        SigV4Failure.ClockSkew => new Ec2Exception(Ec2ErrorCodes.RequestExpired, "Request has expired. " + e.Message),
        _ => new Ec2Exception(Ec2ErrorCodes.AuthFailure, e.Message),
    };
}
