using System.Collections.Immutable;
using OrleansEc2.Grains.Buckets;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>The listing rules on their own, for cases too large to build through a grain quickly.</summary>
public sealed class ObjectListingsTests
{
    [Fact]
    public void List_ReturnsAtMost1000Keys_WhateverMaxKeysAsks()
    {
        var keys = Enumerable.Range(0, 1001).Select(i => $"k{i:0000}").ToList();

        var listing = ObjectListings.List(keys, ObjectFor, new ListObjectsQuery(null, null, 5000, null));

        listing.Objects.Should().HaveCount(1000);
        listing.Objects[^1].Key.Should().Be("k0999");
        listing.IsTruncated.Should().BeTrue();
        listing.NextStartAfter.Should().Be("k0999");
    }

    [Fact]
    public void List_PagingWithADelimiterThroughManyGroups_ReturnsEveryGroupAndKeyOnce()
    {
        var keys = Enumerable.Range(0, 50)
            .SelectMany(g => new[] { $"g{g:00}/a", $"g{g:00}/b", $"k{g:00}" })
            .Order(ObjectKeyOrder.Instance)
            .ToList();
        var seenPrefixes = new List<string>();
        var seenKeys = new List<string>();
        string? startAfter = null;
        var pages = 0;

        do
        {
            var page = ObjectListings.List(keys, ObjectFor, new ListObjectsQuery(null, "/", 7, startAfter));
            seenPrefixes.AddRange(page.CommonPrefixes);
            seenKeys.AddRange(page.Objects.Select(o => o.Key));
            (page.Objects.Length + page.CommonPrefixes.Length).Should().BeLessThanOrEqualTo(7);
            startAfter = page.IsTruncated ? page.NextStartAfter : null;
            pages++;
        }
        while (startAfter is not null);

        seenPrefixes.Should().Equal(Enumerable.Range(0, 50).Select(g => $"g{g:00}/"));
        seenKeys.Should().Equal(Enumerable.Range(0, 50).Select(g => $"k{g:00}"));
        pages.Should().Be(15);
    }

    [Fact]
    public void ObjectKeyOrder_IsTheOrderOfUtf8Bytes()
    {
        var keys = new[] { "😀", "\uFFFD", "\uE000", "z", "é", "\u07FF", "\u0800", "A" };

        var sorted = keys.Order(ObjectKeyOrder.Instance).ToArray();
        var byUtf8 = keys.OrderBy(k => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(k)), StringComparer.Ordinal).ToArray();

        sorted.Should().Equal(byUtf8);
        sorted.Should().Equal("A", "z", "é", "\u07FF", "\u0800", "\uE000", "\uFFFD", "😀");
    }

    private static S3ObjectInfo ObjectFor(string key) =>
        new("bucket", key, new BlobInfo(new string('0', 64), 0, new string('0', 32)), "etag", DateTimeOffset.UnixEpoch, "text/plain", ImmutableDictionary<string, string>.Empty, null, null);
}
