using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

[Collection(ApiSiloCollection.Name)]
public sealed class BucketTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task CreateBucket_WithoutConstraint_IsInUsEast1AndListedWithItsRegion()
    {
        using var s3 = silo.Alices3();
        var bucket = UniqueBucket();

        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        var location = await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket });
        var listed = await s3.ListBucketsAsync(new ListBucketsRequest());

        location.Location.Value.Should().BeOneOf("", "us-east-1");
        var entry = listed.Buckets.Single(b => b.BucketName == bucket);
        entry.BucketRegion.Should().Be("us-east-1");
        entry.CreationDate.Should().Be(silo.Time.GetUtcNow().UtcDateTime);
        listed.Owner.Id.Should().Be(ApiSiloFixture.Alice);
        listed.Owner.DisplayName.Should().Be("alice");
    }

    [Fact]
    public async Task CreateBucket_EuWest1Constraint_SignedForEuWest1_IsInEuWest1()
    {
        using var s3 = silo.S3(region: "eu-west-1");
        var bucket = UniqueBucket();

        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "eu-west-1" });
        var location = await s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket });

        location.Location.Value.Should().Be("eu-west-1");
        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync())!.Region.Should().Be("eu-west-1");
    }

    [Fact]
    public async Task CreateBucket_LegacyEuConstraint_MeansEuWest1()
    {
        using var s3 = silo.S3(region: "eu-west-1");
        var bucket = UniqueBucket();

        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "EU" });

        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync())!.Region.Should().Be("eu-west-1");
    }

    [Fact]
    public async Task CreateBucket_ConstraintOtherThanTheSignedRegion_FailsWithIllegalLocationConstraint()
    {
        using var s3 = silo.Alices3();
        var bucket = UniqueBucket();

        var error = await FailsAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "eu-west-1" }));

        error.ErrorCode.Should().Be("IllegalLocationConstraintException");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync()).Should().BeNull();
    }

    [Fact]
    public async Task CreateBucket_NoConstraintSignedForAnotherRegion_FailsWithIllegalLocationConstraint()
    {
        using var s3 = silo.S3(region: "eu-west-1");

        var error = await FailsAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = UniqueBucket() }));

        error.ErrorCode.Should().Be("IllegalLocationConstraintException");
    }

    [Fact]
    public async Task CreateBucket_UnknownConstraint_FailsWithInvalidLocationConstraint()
    {
        using var s3 = silo.Alices3();

        var error = await FailsAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = UniqueBucket(), BucketRegionName = "mars-north-1" }));

        error.ErrorCode.Should().Be("InvalidLocationConstraint");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreateBucket_UsEast1NamedAsConstraint_FailsWithInvalidLocationConstraint()
    {
        using var http = new HttpClient();
        var bucket = UniqueBucket();
        var body = System.Text.Encoding.UTF8.GetBytes(
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>");

        var response = await http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, bucket), Body = body }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidLocationConstraint");
        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync()).Should().BeNull();
    }

    [Fact]
    public async Task CreateBucket_RepeatedByItsOwnerInUsEast1_Succeeds()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var again = await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

        again.HttpStatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateBucket_RepeatedByItsOwnerInEuWest1_FailsWithBucketAlreadyOwnedByYou()
    {
        using var s3 = silo.S3(region: "eu-west-1");
        var bucket = UniqueBucket();
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "eu-west-1" });

        var error = await FailsAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = "eu-west-1" }));

        error.ErrorCode.Should().Be("BucketAlreadyOwnedByYou");
        error.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CreateBucket_NameAnotherAccountOwns_FailsWithBucketAlreadyExists()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var bucket = await CreateBucketAsync(alice);

        var error = await FailsAsync(() => bob.PutBucketAsync(new PutBucketRequest { BucketName = bucket }));

        error.ErrorCode.Should().Be("BucketAlreadyExists");
        error.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync())!.OwnerId.Should().Be(ApiSiloFixture.Alice);
    }

    [Theory]
    [InlineData("UpperCase-bucket")]
    [InlineData("ab")]
    [InlineData("bad..name")]
    [InlineData("192.168.5.4")]
    public async Task CreateBucket_InvalidName_FailsWithInvalidBucketName(string name)
    {
        using var s3 = silo.Alices3();

        var error = await FailsAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = name }));

        error.ErrorCode.Should().Be("InvalidBucketName");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task HeadBucket_Owned_AnswersItsRegion()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var head = await s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket });

        head.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        head.BucketRegion.Should().Be("us-east-1");
    }

    [Fact]
    public async Task HeadBucket_Missing_Answers404()
    {
        using var s3 = silo.Alices3();

        var error = await FailsAsync(() => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = UniqueBucket("missing") }));

        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListBuckets_ListsOnlyTheCallersBuckets()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var alices = await CreateBucketAsync(alice, "alices");
        var bobs = await CreateBucketAsync(bob, "bobs");

        var listed = (await bob.ListBucketsAsync(new ListBucketsRequest())).Buckets.Select(b => b.BucketName).ToList();

        listed.Should().Contain(bobs).And.NotContain(alices);
    }

    [Fact]
    public async Task ListBuckets_MaxBuckets_PagesWithAContinuationToken()
    {
        using var s3 = silo.S3(ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret);
        var prefix = "paged-" + Guid.NewGuid().ToString("n")[..8];
        var names = new[] { prefix + "-a", prefix + "-b", prefix + "-c" };
        foreach (var name in names)
        {
            await s3.PutBucketAsync(new PutBucketRequest { BucketName = name });
        }

        var first = await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = prefix, MaxBuckets = 2 });
        var second = await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = prefix, MaxBuckets = 2, ContinuationToken = first.ContinuationToken });

        first.Buckets.Select(b => b.BucketName).Should().Equal(names[0], names[1]);
        first.ContinuationToken.Should().NotBeNullOrEmpty();
        second.Buckets.Select(b => b.BucketName).Should().Equal(names[2]);
        second.ContinuationToken.Should().BeNull();
    }

    [Fact]
    public async Task DeleteBucket_WithObjects_FailsWithBucketNotEmpty_ThenSucceedsOnceEmpty()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1, 2, 3]);

        var error = await FailsAsync(() => s3.DeleteBucketAsync(bucket));
        await s3.DeleteObjectAsync(bucket, "k");
        var deleted = await s3.DeleteBucketAsync(bucket);

        error.ErrorCode.Should().Be("BucketNotEmpty");
        error.StatusCode.Should().Be(HttpStatusCode.Conflict);
        deleted.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await s3.ListBucketsAsync(new ListBucketsRequest())).Buckets.Should().NotContain(b => b.BucketName == bucket);
    }

    [Fact]
    public async Task DeleteBucket_Missing_FailsWithNoSuchBucket()
    {
        using var s3 = silo.Alices3();

        var error = await FailsAsync(() => s3.DeleteBucketAsync(UniqueBucket("missing")));

        error.ErrorCode.Should().Be("NoSuchBucket");
        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
