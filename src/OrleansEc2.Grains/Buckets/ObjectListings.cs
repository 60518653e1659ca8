using System.Collections.Immutable;

namespace OrleansEc2.Grains.Buckets;

/// <summary>ListObjects over a bucket's keys: prefix, delimiter roll-up into common prefixes, max-keys and paging.</summary>
public static class ObjectListings
{
    /// <summary>The most keys one page holds, whatever max-keys asks for.</summary>
    public const int MaxPageSize = 1000;

    /// <param name="sortedKeys">Every key of the bucket, in <see cref="ObjectKeyOrder"/>.</param>
    /// <param name="objectOf">The object stored under a key.</param>
    /// <param name="query">The question; <see cref="ListObjectsQuery.StartAfter"/> may be a key or a common prefix from a previous page.</param>
    public static ObjectListing List(IReadOnlyList<string> sortedKeys, Func<string, S3ObjectInfo> objectOf, ListObjectsQuery query)
    {
        if (query.MaxKeys < 0)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidArgument, "max-keys cannot be negative.");
        }

        var maxKeys = Math.Min(query.MaxKeys, MaxPageSize);
        if (maxKeys == 0)
        {
            return new ObjectListing([], [], IsTruncated: false, NextStartAfter: null);
        }

        var prefix = query.Prefix ?? "";
        var delimiter = string.IsNullOrEmpty(query.Delimiter) ? null : query.Delimiter;
        var startAfter = string.IsNullOrEmpty(query.StartAfter) ? null : query.StartAfter;

        var objects = ImmutableArray.CreateBuilder<S3ObjectInfo>();
        var commonPrefixes = ImmutableArray.CreateBuilder<string>();
        string? last = null;
        var truncated = false;

        for (var i = FirstCandidate(sortedKeys, prefix, startAfter); i < sortedKeys.Count; i++)
        {
            var key = sortedKeys[i];
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                // Keys sharing a prefix are contiguous in this order, and the scan started inside them.
                break;
            }

            var rollUp = delimiter is null ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            if (rollUp >= 0)
            {
                var commonPrefix = key[..(rollUp + delimiter!.Length)];

                // A start-after at or inside this group (the previous page's last common prefix) skips the whole group.
                var skip = startAfter is not null && ObjectKeyOrder.Instance.Compare(commonPrefix, startAfter) <= 0;
                if (!skip)
                {
                    if (objects.Count + commonPrefixes.Count == maxKeys)
                    {
                        truncated = true;
                        break;
                    }

                    commonPrefixes.Add(commonPrefix);
                    last = commonPrefix;
                }

                while (i + 1 < sortedKeys.Count && sortedKeys[i + 1].StartsWith(commonPrefix, StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            if (objects.Count + commonPrefixes.Count == maxKeys)
            {
                truncated = true;
                break;
            }

            objects.Add(objectOf(key));
            last = key;
        }

        return new ObjectListing(objects.ToImmutable(), commonPrefixes.ToImmutable(), truncated, truncated ? last : null);
    }

    /// <summary>The index of the first key that is at least <paramref name="prefix"/> and after <paramref name="startAfter"/>.</summary>
    private static int FirstCandidate(IReadOnlyList<string> sortedKeys, string prefix, string? startAfter)
    {
        var first = LowerBound(sortedKeys, prefix, inclusive: true);
        if (startAfter is not null)
        {
            first = Math.Max(first, LowerBound(sortedKeys, startAfter, inclusive: false));
        }

        return first;
    }

    private static int LowerBound(IReadOnlyList<string> sortedKeys, string value, bool inclusive)
    {
        int low = 0, high = sortedKeys.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var order = ObjectKeyOrder.Instance.Compare(sortedKeys[middle], value);
            if (order < 0 || (order == 0 && !inclusive))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
