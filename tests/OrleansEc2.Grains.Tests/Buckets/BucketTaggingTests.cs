using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>A bucket's tags live with it: replaced whole, checked by S3's bucket rules, owner only, gone with the bucket.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BucketTaggingTests(ClusterFixture fixture)
{
    private static readonly ImmutableArray<Tag> Tags = [new("project", "blue"), new("Cost-Center", "42"), new("empty", "")];

    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task PutBucketTagging_StoresTheTagsInTheirOrder_AndTheySurviveADeactivation()
    {
        var bucket = await _kit.CreateBucketAsync();

        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags);
        await _kit.DeactivateAllAsync();

        (await bucket.GetBucketTaggingAsync(BucketTestKit.Alice)).Should().Equal(Tags);
    }

    [Fact]
    public async Task PutBucketTagging_ReplacesTheWholeSet()
    {
        var bucket = await _kit.CreateBucketAsync();
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags);

        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, [new Tag("only", "one")]);

        (await bucket.GetBucketTaggingAsync(BucketTestKit.Alice)).Should().Equal(new Tag("only", "one"));
    }

    [Fact]
    public async Task GetBucketTagging_OfABucketWithoutTags_FailsWithNoSuchTagSet_AlsoAfterTheyAreRemoved()
    {
        var bucket = await _kit.CreateBucketAsync();

        var never = await BucketTestKit.ShouldFailWithAsync(() => bucket.GetBucketTaggingAsync(BucketTestKit.Alice), Ec2ErrorCodes.NoSuchTagSet);
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags);
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, []);
        await _kit.DeactivateAllAsync();
        var removed = await BucketTestKit.ShouldFailWithAsync(() => bucket.GetBucketTaggingAsync(BucketTestKit.Alice), Ec2ErrorCodes.NoSuchTagSet);

        never.Message.Should().Be("The TagSet does not exist");
        removed.Message.Should().Be("The TagSet does not exist");
    }

    public static TheoryData<string, ImmutableArray<Tag>, string, string> BrokenTagSets => new()
    {
        { "51 tags", [.. Enumerable.Range(0, 51).Select(i => new Tag($"key-{i}", ""))], "BadRequest", "Bucket tag count cannot be greater than 50" },
        { "a key of 129 characters", [new(new string('k', 129), "v")], "InvalidTag", "The TagKey you have provided is invalid" },
        { "a value of 257 characters", [new("k", new string('v', 257))], "InvalidTag", "The TagValue you have provided is invalid" },
        { "a value with a tab", [new("k", "a\tb")], "InvalidTag", "The TagValue you have provided is invalid" },
        { "two tags with one key", [new("a", "1"), new("a", "2")], "InvalidTag", "Cannot provide multiple Tags with the same key" },
        { "a key beginning aws:", [new("aws:cost", "1")], "InvalidTag", "System tags cannot be added/updated by requester" },
        { "a key beginning Aws:", [new("Aws:cost", "1")], "InvalidTag", "Invalid Tag. Tags cannot start with \"aws:\"(case insensitive) unless they are System Tags that start with \"aws:\"(case sensitive)" },
    };

    [Theory]
    [MemberData(nameof(BrokenTagSets))]
    public async Task PutBucketTagging_BreakingS3sRules_IsRefused_AndTheTagsStay(string name, ImmutableArray<Tag> tags, string code, string message)
    {
        var bucket = await _kit.CreateBucketAsync();
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags);

        var failure = await BucketTestKit.ShouldFailWithAsync(() => bucket.PutBucketTaggingAsync(BucketTestKit.Alice, tags), code);

        failure.Message.Should().Be(message, name);
        (await bucket.GetBucketTaggingAsync(BucketTestKit.Alice)).Should().Equal(Tags);
    }

    [Fact]
    public async Task FiftyTags_AreStored()
    {
        var bucket = await _kit.CreateBucketAsync();
        ImmutableArray<Tag> fifty = [.. Enumerable.Range(0, 50).Select(i => new Tag($"key-{i:00}", new string('v', i)))];

        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, fifty);

        (await bucket.GetBucketTaggingAsync(BucketTestKit.Alice)).Should().Equal(fifty);
    }

    [Fact]
    public async Task AnotherAccount_CannotReadOrSetTheTags()
    {
        var bucket = await _kit.CreateBucketAsync();
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.GetBucketTaggingAsync(BucketTestKit.Bob), Ec2ErrorCodes.AccessDenied);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.PutBucketTaggingAsync(BucketTestKit.Bob, []), Ec2ErrorCodes.AccessDenied);

        (await bucket.GetBucketTaggingAsync(BucketTestKit.Alice)).Should().Equal(Tags);
    }

    [Fact]
    public async Task ADeletedBucketCreatedAgain_HasNoTags()
    {
        var bucket = await _kit.CreateBucketAsync();
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags);

        await bucket.DeleteAsync(BucketTestKit.Alice);
        await bucket.CreateAsync(BucketTestKit.Alice, BucketTestKit.UsEast1);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.GetBucketTaggingAsync(BucketTestKit.Alice), Ec2ErrorCodes.NoSuchTagSet);
    }

    [Fact]
    public async Task BucketTagging_OfABucketThatDoesNotExist_FailsWithNoSuchBucket()
    {
        var bucket = _kit.Bucket(BucketTestKit.NewBucketName());

        await BucketTestKit.ShouldFailWithAsync(() => bucket.GetBucketTaggingAsync(BucketTestKit.Alice), Ec2ErrorCodes.NoSuchBucket);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.PutBucketTaggingAsync(BucketTestKit.Alice, Tags), Ec2ErrorCodes.NoSuchBucket);
        (await bucket.FindAsync()).Should().BeNull();
    }
}
