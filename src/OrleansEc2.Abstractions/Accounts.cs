using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>An account as configured.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.AccountInfo")]
public sealed record AccountInfo(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string Name,
    [property: Id(2)] ImmutableArray<string> AccessKeyIds);

/// <summary>An access key and the account it belongs to (what SigV4 verification needs).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.AccessKey")]
public sealed record AccessKey(
    [property: Id(0)] string AccessKeyId,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string SecretAccessKey);

/// <summary>An X.509 signing certificate and its private key, both PEM (the classic tools' <c>--cert</c> and <c>--privatekey</c>).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.SigningCredentials")]
public sealed record SigningCredentials(
    [property: Id(0)] string CertificatePem,
    [property: Id(1)] string PrivateKeyPem);

/// <summary>One account (12-digit id): its signing certificate and private key, generated once and persisted.</summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>The configured account; <c>AuthFailure</c> when no such account is configured.</summary>
    Task<AccountInfo> GetInfoAsync();

    /// <summary>The account's signing certificate (PEM): what a manifest's signature verifies against.</summary>
    Task<string> GetSigningCertificatePemAsync();

    /// <summary>The certificate and private key, for their owner to download.</summary>
    Task<SigningCredentials> GetSigningCredentialsAsync();
}

/// <summary>One access key id: which account it belongs to. Answers null for an unknown key.</summary>
public interface IAccessKeyGrain : IGrainWithStringKey
{
    Task<AccessKey?> FindAsync();
}
