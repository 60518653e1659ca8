using OrleansEc2.Api.S3;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>Range and conditional-header rules on their own.</summary>
public sealed class PreconditionTests
{
    private static readonly DateTimeOffset Modified = new(2008, 10, 2, 9, 31, 44, 500, TimeSpan.Zero);

    [Theory]
    [InlineData("bytes=0-0", 0L, 0L)]
    [InlineData("bytes=10-", 10L, 99L)]
    [InlineData("bytes=-1", 99L, 99L)]
    [InlineData("bytes=-500", 0L, 99L)]
    [InlineData("bytes=90-1000", 90L, 99L)]
    [InlineData("bytes=5-6", 5L, 6L)]
    public void ByteRange_Satisfiable_IsClippedToTheObject(string header, long first, long last)
    {
        var range = ByteRange.Parse(header, 100, out var unsatisfiable);

        unsatisfiable.Should().BeFalse();
        range.Should().Be(new ByteRange(first, last));
    }

    [Theory]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-5", 0)]
    public void ByteRange_NoByteSatisfies_IsUnsatisfiable(string header, long size)
    {
        ByteRange.Parse(header, size, out var unsatisfiable).Should().BeNull();
        unsatisfiable.Should().BeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bytes=5-1")]
    [InlineData("bytes=1-2,4-5")]
    [InlineData("bytes=a-")]
    [InlineData("items=1-2")]
    public void ByteRange_AbsentMalformedOrMultiple_MeansTheWholeObject(string? header)
    {
        ByteRange.Parse(header, 100, out var unsatisfiable).Should().BeNull();
        unsatisfiable.Should().BeFalse();
    }

    [Theory]
    [InlineData("\"abc\"", null, null, null, "Proceed")]
    [InlineData("\"other\", \"abc\"", null, null, null, "Proceed")]
    [InlineData("*", null, null, null, "Proceed")]
    [InlineData("\"other\"", null, null, null, "Failed")]
    [InlineData(null, "\"abc\"", null, null, "NotModified")]
    [InlineData(null, "W/\"abc\"", null, null, "NotModified")]
    [InlineData(null, "\"other\"", "Thu, 02 Oct 2008 09:31:44 GMT", null, "Proceed")]
    [InlineData(null, null, "Thu, 02 Oct 2008 09:31:44 GMT", null, "NotModified")]
    [InlineData(null, null, "Thu, 02 Oct 2008 09:31:43 GMT", null, "Proceed")]
    [InlineData(null, null, "not a date", null, "Proceed")]
    [InlineData(null, null, null, "Thu, 02 Oct 2008 09:31:44 GMT", "Proceed")]
    [InlineData(null, null, null, "Thu, 02 Oct 2008 09:31:43 GMT", "Failed")]
    [InlineData("\"abc\"", null, null, "Thu, 02 Oct 2008 09:31:43 GMT", "Proceed")]
    public void Conditions_AreWeighedInHttpsOrder(string? ifMatch, string? ifNoneMatch, string? ifModifiedSince, string? ifUnmodifiedSince, string expected)
    {
        S3Preconditions.Evaluate("abc", Modified, ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince, isRead: true).ToString().Should().Be(expected);
    }
}
