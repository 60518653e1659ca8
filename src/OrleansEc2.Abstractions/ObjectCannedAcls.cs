namespace OrleansEc2;

/// <summary>
/// The canned ACLs an object records (<see cref="S3ObjectInfo.CannedAcl"/>). Buckets here enforce their owner's
/// ownership of every object, so the ACLs that grant the owner alone (<c>private</c>, <c>bucket-owner-full-control</c>)
/// leave nothing to record: null is the owner's full control and nothing else. The two ACLs of the EC2 bundle tools
/// each add a READ grant for one of EC2's own accounts, which GetObjectAcl lists.
/// </summary>
public static class ObjectCannedAcls
{
    /// <summary>What BundleInstance's upload policy requires on every part and the manifest: EC2's bundled-images account may read.</summary>
    public const string Ec2BundleRead = "ec2-bundle-read";

    /// <summary>What <c>ec2-upload-bundle</c> sends by default: the EC2 account that reads AMI bundles (<c>za-team</c>) may read.</summary>
    public const string AwsExecRead = "aws-exec-read";

    /// <summary>Whether an object may record <paramref name="acl"/>: none, or one of the two above.</summary>
    public static bool IsRecordable(string? acl) => acl is null or Ec2BundleRead or AwsExecRead;
}
