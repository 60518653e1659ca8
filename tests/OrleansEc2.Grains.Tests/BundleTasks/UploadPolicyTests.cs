using System.Text;
using OrleansEc2.Grains.BundleTasks;
using static OrleansEc2.Grains.Tests.BundleTasks.BundleKit;

namespace OrleansEc2.Grains.Tests.BundleTasks;

public sealed class UploadPolicyTests
{
    private static readonly DateTimeOffset Now = new(2013, 8, 9, 0, 0, 0, TimeSpan.Zero);

    // The AWS CLI's own test of bundle-instance (tests/functional/ec2/test_bundle_instance.py): this policy, signed
    // with the documentation's example secret key, gives this signature.
    private const string CliPolicy =
        "{\"expiration\": \"2013-08-10T00:00:00.000000Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"foobar\"]]}";

    private const string CliSignature = "ynxybUMv9YuGbPl7HZ8AFJW/2t0=";

    [Fact]
    public void Sign_TheAwsCliTestPolicy_GivesTheAwsCliSignature()
    {
        UploadPolicy.Sign(Base64(CliPolicy), AliceSecret).Should().Be(CliSignature);
    }

    [Fact]
    public void Verify_TheAwsCliTestPolicy_BeforeItExpires_Passes()
    {
        var act = () => UploadPolicy.Verify(Base64(CliPolicy), CliSignature, AliceSecret, "mybucket", "foobar", Now);

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("mybucket", "foobar", "2013-08-10T00:00:00Z", "expired at 2013-08-10T00:00:00.000Z")]
    [InlineData("otherbucket", "foobar", "2013-08-09T00:00:00Z", "does not allow bucket 'otherbucket'")]
    [InlineData("mybucket", "other", "2013-08-09T00:00:00Z", "allows only keys starting with 'foobar'")]
    public void Verify_ExpiredOrForAnotherBucketOrPrefix_FailsWithInvalidPolicy(string bucket, string prefix, string now, string message)
    {
        var act = () => UploadPolicy.Verify(Base64(CliPolicy), CliSignature, AliceSecret, bucket, prefix, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        act.Should().Throw<Ec2Exception>().Where(e => e.Code == Ec2ErrorCodes.InvalidPolicy && e.Message.Contains(message));
    }

    [Fact]
    public void Verify_PrefixLongerThanThePolicysKeyPrefix_Passes()
    {
        var act = () => UploadPolicy.Verify(Base64(CliPolicy), CliSignature, AliceSecret, "mybucket", "foobar-2013", Now);

        act.Should().NotThrow("every key of bundle foobar-2013 starts with foobar");
    }

    [Fact]
    public void Verify_SignedWithAnotherSecret_FailsWithInvalidPolicy()
    {
        var act = () => UploadPolicy.Verify(Base64(CliPolicy), UploadPolicy.Sign(Base64(CliPolicy), BobSecret), AliceSecret, "mybucket", "foobar", Now);

        act.Should().Throw<Ec2Exception>().Where(e => e.Code == Ec2ErrorCodes.InvalidPolicy && e.Message.Contains("signature does not match"));
    }

    [Fact]
    public void Verify_SignatureOverTheJsonRatherThanTheBase64Text_FailsWithInvalidPolicy()
    {
        var overJson = Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(Encoding.UTF8.GetBytes(AliceSecret), Encoding.UTF8.GetBytes(CliPolicy)));
        var act = () => UploadPolicy.Verify(Base64(CliPolicy), overJson, AliceSecret, "mybucket", "foobar", Now);

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be(Ec2ErrorCodes.InvalidPolicy);
    }

    [Theory]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"foobar\"]]}", "no bucket condition")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [{\"bucket\": \"mybucket\"},[\"starts-with\", \"$key\", \"foobar\"]]}", "no acl condition")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"private\"},[\"starts-with\", \"$key\", \"foobar\"]]}", "does not allow the ACL 'ec2-bundle-read'")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"}]}", "no key condition")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"},{\"key\": \"foobar.manifest.xml\"}]}", "single key")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"foobar\"],[\"starts-with\", \"$Content-Type\", \"image/\"]]}", "condition on 'content-type'")]
    [InlineData("{\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"foobar\"]]}", "no \"expiration\"")]
    [InlineData("{\"expiration\": \"tomorrow\",\"conditions\": []}", "not an ISO 8601 UTC time")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\"}", "no \"conditions\"")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",\"conditions\": [42]}", "Condition 1")]
    [InlineData("{\"expiration\": \"2013-08-10T00:00:00Z\",", "not a valid JSON document")]
    [InlineData("[]", "must be a JSON object")]
    public void Verify_MalformedOrIncompletePolicy_FailsWithInvalidPolicy(string json, string message)
    {
        var policy = Base64(json);
        var act = () => UploadPolicy.Verify(policy, UploadPolicy.Sign(policy, AliceSecret), AliceSecret, "mybucket", "foobar", Now);

        act.Should().Throw<Ec2Exception>().Where(e => e.Code == Ec2ErrorCodes.InvalidPolicy && e.Message.Contains(message));
    }

    [Fact]
    public void Verify_PolicyOfMoreThan4096Bytes_FailsWithInvalidPolicy()
    {
        var json = CliPolicy.Replace("ec2-bundle-read\"}", "ec2-bundle-read\"},{\"x-amz-meta-pad\": \"" + new string('p', 4000) + "\"}", StringComparison.Ordinal);
        var policy = Base64(json);
        var act = () => UploadPolicy.Verify(policy, UploadPolicy.Sign(policy, AliceSecret), AliceSecret, "mybucket", "foobar", Now);

        act.Should().Throw<Ec2Exception>().Where(e => e.Code == Ec2ErrorCodes.InvalidPolicy && e.Message.Contains($"is {Encoding.UTF8.GetByteCount(json)} bytes; at most 4096"));
    }

    [Fact]
    public void Verify_PolicyNotInBase64_FailsWithInvalidPolicy()
    {
        var act = () => UploadPolicy.Verify(CliPolicy, UploadPolicy.Sign(CliPolicy, AliceSecret), AliceSecret, "mybucket", "foobar", Now);

        act.Should().Throw<Ec2Exception>().Where(e => e.Code == Ec2ErrorCodes.InvalidPolicy && e.Message.Contains("base64"));
    }
}
