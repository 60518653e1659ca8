using OrleansEc2.Grains.Buckets;

namespace OrleansEc2.Grains.Tests.Buckets;

public sealed class BucketNamesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("my-bucket.2008")]
    [InlineData("0bucket9")]
    [InlineData("a.b-c")]
    [InlineData("192.168.5")]
    [InlineData("xn-bucket")]
    public void ValidateS3_AcceptsNamesInsideS3sRule(string name)
    {
        var validate = () => BucketNames.ValidateS3(name);

        validate.Should().NotThrow();
    }

    [Fact]
    public void ValidateS3_AcceptsSixtyThreeCharacters()
    {
        var validate = () => BucketNames.ValidateS3(new string('a', 63));

        validate.Should().NotThrow();
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("MyBucket")]
    [InlineData("my_bucket")]
    [InlineData("-bucket")]
    [InlineData("bucket-")]
    [InlineData(".bucket")]
    [InlineData("bucket.")]
    [InlineData("my..bucket")]
    [InlineData("192.168.5.4")]
    [InlineData("xn--bucket")]
    [InlineData("sthree-bucket")]
    [InlineData("amzn-s3-demo-bucket")]
    [InlineData("bucket-s3alias")]
    [InlineData("bucket--ol-s3")]
    [InlineData("bucket.mrap")]
    [InlineData("bucket--x-s3")]
    [InlineData("bucket--table-s3")]
    [InlineData("bücket")]
    [InlineData("my bucket")]
    public void ValidateS3_RefusesNamesOutsideS3sRule_WithInvalidBucketName(string name)
    {
        var validate = () => BucketNames.ValidateS3(name);

        validate.Should().Throw<Ec2Exception>().Which.Code.Should().Be(Ec2ErrorCodes.InvalidBucketName);
    }

    [Fact]
    public void ValidateS3_RefusesSixtyFourCharacters_WithInvalidBucketName()
    {
        var validate = () => BucketNames.ValidateS3(new string('a', 64));

        validate.Should().Throw<Ec2Exception>().Which.Code.Should().Be(Ec2ErrorCodes.InvalidBucketName);
    }

    [Theory]
    [InlineData("MyBucket")]
    [InlineData("my_bucket")]
    [InlineData("-bucket-")]
    [InlineData("my..bucket")]
    [InlineData("abc")]
    public void ValidateLegacy_AcceptsTheBundleRule(string name)
    {
        var validate = () => BucketNames.ValidateLegacy(name);

        validate.Should().NotThrow();
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("my bucket")]
    [InlineData("my/bucket")]
    [InlineData("bücket")]
    public void ValidateLegacy_RefusesNamesOutsideTheBundleRule_WithInvalidBucketName(string name)
    {
        var validate = () => BucketNames.ValidateLegacy(name);

        validate.Should().Throw<Ec2Exception>().Which.Code.Should().Be(Ec2ErrorCodes.InvalidBucketName);
    }

    [Fact]
    public void ValidateLegacy_AcceptsTwoHundredFiftyFiveCharacters_AndRefusesMore()
    {
        var longest = () => BucketNames.ValidateLegacy(new string('A', 255));
        var tooLong = () => BucketNames.ValidateLegacy(new string('A', 256));

        longest.Should().NotThrow();
        tooLong.Should().Throw<Ec2Exception>().Which.Code.Should().Be(Ec2ErrorCodes.InvalidBucketName);
    }
}
