using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>An EC2 tag.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Tag")]
public sealed record Tag([property: Id(0)] string Key, [property: Id(1)] string Value);

/// <summary>A Describe* filter: <c>Filter.N.Name</c> with its values (<c>*</c> and <c>?</c> are wildcards).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Ec2Filter")]
public sealed record Ec2Filter([property: Id(0)] string Name, [property: Id(1)] ImmutableArray<string> Values);

/// <summary>The operating system family of an image or instance.</summary>
[GenerateSerializer, Alias("OrleansEc2.Platform")]
public enum Platform
{
    Linux = 0,
    Windows = 1,
}

/// <summary>Who is asking: the account a request was authenticated as, and the region it was addressed to.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Caller")]
public sealed record Caller([property: Id(0)] string AccountId, [property: Id(1)] string Region)
{
    /// <summary>The key of the caller's <see cref="IAccountRegionGrain"/>.</summary>
    public string AccountRegionKey => AccountRegionKeys.Format(AccountId, Region);
}

/// <summary>Keys of <see cref="IAccountRegionGrain"/>: <c>{account}/{region}</c>.</summary>
public static class AccountRegionKeys
{
    public static string Format(string accountId, string region) => $"{accountId}/{region}";

    public static (string AccountId, string Region) Parse(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0 || slash == key.Length - 1)
        {
            throw new ArgumentException($"'{key}' is not an account/region key.", nameof(key));
        }

        return (key[..slash], key[(slash + 1)..]);
    }
}
