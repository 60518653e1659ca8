using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Api.Tests.BundleTasks;

/// <summary>
/// The upload policy exactly as the AWS CLI's <c>ec2 bundle-instance --owner-akid --owner-sak</c> builds it
/// (awscli/customizations/ec2/bundleinstance.py): the JSON text with a microsecond expiration, and the signature
/// base64(HMAC-SHA1(secret, base64 of the JSON)). <c>UploadPolicy</c> is a blob in the service model: the SDK for .NET
/// (4.0) takes it as a stream of the JSON bytes and sends their base64 text, as botocore does for the CLI.
/// </summary>
public static class CliUploadPolicy
{
    public static string Json(string bucket, string prefix, DateTimeOffset expiration)
        => "{\"expiration\": \"" + expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture) + "\","
            + "\"conditions\": [{\"bucket\": \"" + bucket + "\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"" + prefix + "\"]]}";

    public static (string Policy, string Signature) Signed(string json, string secret)
    {
        var policy = Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(policy)));
        return (policy, signature);
    }

    /// <summary>What <c>aws ec2 bundle-instance</c> sends for a day-long policy from <paramref name="now"/>.</summary>
    public static Amazon.EC2.Model.BundleInstanceRequest Request(string instanceId, string bucket, string prefix, DateTimeOffset now, string accessKeyId, string secret, string? json = null)
    {
        json ??= Json(bucket, prefix, now.AddHours(24));
        var (_, signature) = Signed(json, secret);
        return new Amazon.EC2.Model.BundleInstanceRequest
        {
            InstanceId = instanceId,
            Storage = new Amazon.EC2.Model.Storage
            {
                S3 = new Amazon.EC2.Model.S3Storage
                {
                    Bucket = bucket,
                    Prefix = prefix,
                    AWSAccessKeyId = accessKeyId,
                    UploadPolicy = new MemoryStream(Encoding.UTF8.GetBytes(json)),
                    UploadPolicySignature = signature,
                },
            },
        };
    }
}
