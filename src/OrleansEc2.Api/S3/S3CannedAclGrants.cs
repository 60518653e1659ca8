using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Api.S3;

/// <summary>
/// The READ grant each recorded canned ACL adds to the owner's full control (<see cref="ObjectCannedAcls"/>), as
/// GetObjectAcl lists it: a canonical user of EC2's.
/// </summary>
internal static class S3CannedAclGrants
{
    /// <summary>
    /// <c>aws-exec-read</c>'s grantee: the EC2 account that reads AMI bundles, which S3 lists as <c>za-team</c> with this
    /// canonical ID.
    /// </summary>
    public static readonly (string Id, string DisplayName) ExecReader = ("6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c", "za-team");

    /// <summary>
    /// <c>ec2-bundle-read</c>'s grantee: EC2's bundled-images account (<c>ec2-bundled-images@amazon.com</c>). S3
    /// publishes no canonical ID for it, so this endpoint gives it one in S3's form (64 hex digits): the SHA-256 of
    /// that address, stable across silos and versions.
    /// </summary>
    public static readonly (string Id, string DisplayName) BundleReader =
        (Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes("ec2-bundled-images@amazon.com"))), "ec2-bundled-images");

    /// <summary>Who <paramref name="cannedAcl"/> lets read the object besides its owner; null for the owner's ACL alone.</summary>
    public static (string Id, string DisplayName)? ReaderOf(string? cannedAcl) => cannedAcl switch
    {
        ObjectCannedAcls.AwsExecRead => ExecReader,
        ObjectCannedAcls.Ec2BundleRead => BundleReader,
        _ => null,
    };
}
