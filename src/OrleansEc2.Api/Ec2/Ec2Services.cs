using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using OrleansEc2.Api.FrontDoor;

namespace OrleansEc2.Api.Ec2;

/// <summary>What the actions share across requests: the regions, the configured accounts, and small caches.</summary>
internal sealed class Ec2Services(IGrainFactory grains, ConfiguredRegions regions, ConfiguredAccounts accounts)
{
    private readonly ConcurrentDictionary<string, string?> _imageArchitectures = new(StringComparer.Ordinal);

    public ConfiguredRegions Regions { get; } = regions;

    public DescribeInstancesCache InstancePages { get; } = new();

    /// <summary>
    /// Whether an instance the caller cannot see belongs to another configured account: a dry run answers
    /// <c>UnauthorizedOperation</c> for such an instance rather than <c>NotFound</c>.
    /// </summary>
    public async Task<bool> BelongsToAnotherAccountAsync(string instanceId, string callerAccountId)
    {
        foreach (var other in accounts.AccountIds)
        {
            if (other == callerAccountId)
            {
                continue;
            }

            try
            {
                await grains.GetGrain<IInstanceGrain>(instanceId).DescribeAsync(other);
                return true;
            }
            catch (Ec2Exception)
            {
                // Not this account's either.
            }
        }

        return false;
    }

    /// <summary>An image as <paramref name="caller"/> may see it (<c>InvalidAMIID.NotFound</c> otherwise).</summary>
    public Task<ImageDescription> DescribeImageAsync(string imageId, Caller caller)
        => grains.GetGrain<IImageGrain>(imageId).DescribeAsync(caller);

    /// <summary>Whether a key pair id the caller does not have belongs to another configured account (in the same region).</summary>
    public async Task<bool> KeyPairBelongsToAnotherAccountAsync(string keyPairId, Caller caller)
    {
        foreach (var other in accounts.AccountIds)
        {
            if (other == caller.AccountId)
            {
                continue;
            }

            try
            {
                await grains.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(other, caller.Region)).DescribeKeyPairsAsync([], [keyPairId]);
                return true;
            }
            catch (Ec2Exception)
            {
                // Not this account's either.
            }
        }

        return false;
    }

    /// <summary>The architecture of an image (instances show their image's); null when the image is not visible.</summary>
    public async ValueTask<string?> GetImageArchitectureAsync(string imageId, Caller caller)
    {
        if (_imageArchitectures.TryGetValue(imageId, out var known))
        {
            return known;
        }

        try
        {
            var image = await DescribeImageAsync(imageId, caller);
            _imageArchitectures[imageId] = image.Architecture;
            return image.Architecture;
        }
        catch (Ec2Exception)
        {
            return null;
        }
    }
}

/// <summary>The account ids of the configuration (<c>Accounts:N:AccountId</c>).</summary>
public sealed class ConfiguredAccounts(IReadOnlyList<string> accountIds)
{
    public IReadOnlyList<string> AccountIds { get; } = accountIds;
}

/// <summary>
/// Rendered DescribeInstances bodies, per account-region and query, valid while the account-region index keeps the
/// same version and until the first pending state transition in the page completes (only the requestId varies).
/// </summary>
internal sealed class DescribeInstancesCache
{
    private const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string key, long indexVersion, DateTimeOffset now, out Ec2Body body)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.IndexVersion == indexVersion && now < entry.ValidUntil)
        {
            body = entry.Body;
            return true;
        }

        body = default;
        return false;
    }

    public void Set(string key, long indexVersion, DateTimeOffset validUntil, Ec2Body body)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(indexVersion, validUntil, body);
    }

    private sealed record Entry(long IndexVersion, DateTimeOffset ValidUntil, Ec2Body Body);
}

/// <summary>
/// MaxResults / NextToken over a full result list the front door holds (DescribeTags, DescribeImages,
/// DescribeInstanceStatus). The token carries the offset and a digest of the query it belongs to.
/// </summary>
internal static class OffsetPaging
{
    public static (IReadOnlyList<T> Page, string? NextToken) Page<T>(IReadOnlyList<T> all, int? maxResults, string? nextToken, string queryKey)
    {
        var offset = 0;
        var digest = Digest(queryKey);
        if (!string.IsNullOrEmpty(nextToken))
        {
            offset = ParseToken(nextToken, digest, all.Count);
        }

        var size = maxResults ?? all.Count;
        var end = Math.Min(all.Count, offset + size);
        var page = all.Skip(offset).Take(end - offset).ToList();
        return (page, end < all.Count ? MakeToken(end, digest) : null);
    }

    private static string MakeToken(int offset, string digest)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{offset}:{digest}"));

    private static int ParseToken(string token, string digest, int count)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var colon = text.IndexOf(':');
            if (colon > 0 && text[(colon + 1)..] == digest && int.TryParse(text[..colon], out var offset) && offset >= 0 && offset <= count)
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Falls through to the error below.
        }

        throw new Ec2Exception(Ec2ErrorCodes.InvalidPaginationToken, $"The pagination token '{token}' is invalid or has expired.");
    }

    private static string Digest(string queryKey)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(queryKey)).AsSpan(0, 8));
}

internal static class ImmutableArrays
{
    public static ImmutableArray<T> OrEmpty<T>(this ImmutableArray<T> array) => array.IsDefault ? [] : array;
}
