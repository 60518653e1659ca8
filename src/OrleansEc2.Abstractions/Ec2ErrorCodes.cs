namespace OrleansEc2;

/// <summary>Error codes as EC2 and S3 spell them.</summary>
public static class Ec2ErrorCodes
{
    // Request-level
    public const string AuthFailure = "AuthFailure";
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
    public const string InvalidAccessKeyId = "InvalidAccessKeyId";
    public const string RequestExpired = "RequestExpired";
    public const string RequestTimeTooSkewed = "RequestTimeTooSkewed";
    public const string UnauthorizedOperation = "UnauthorizedOperation";
    public const string DryRunOperation = "DryRunOperation";
    public const string InvalidAction = "InvalidAction";
    public const string MissingParameter = "MissingParameter";
    public const string InvalidParameterValue = "InvalidParameterValue";
    public const string InvalidParameterCombination = "InvalidParameterCombination";
    public const string UnknownParameter = "UnknownParameter";
    public const string InvalidFilter = "InvalidFilter";
    public const string InvalidPaginationToken = "InvalidPaginationToken";
    public const string IdempotentParameterMismatch = "IdempotentParameterMismatch";
    public const string InternalError = "InternalError";
    public const string UnsupportedOperation = "UnsupportedOperation";
    public const string InvalidRequest = "InvalidRequest";

    // Instances
    public const string InvalidInstanceIdNotFound = "InvalidInstanceID.NotFound";
    public const string InvalidInstanceIdMalformed = "InvalidInstanceID.Malformed";
    public const string IncorrectInstanceState = "IncorrectInstanceState";
    public const string InvalidInstanceType = "InvalidInstanceType";
    public const string InvalidAvailabilityZone = "InvalidAvailabilityZone";
    public const string InvalidIdNotFound = "InvalidID";
    public const string OperationNotPermitted = "OperationNotPermitted";

    // Security groups
    public const string InvalidGroupNotFound = "InvalidGroup.NotFound";
    public const string InvalidGroupIdMalformed = "InvalidGroupId.Malformed";

    // Guest actions (simulator-only: EC2 has no API into a guest)
    public const string GuestFileNotFound = "InvalidGuestFile.NotFound";
    public const string GuestDiskFull = "GuestDiskFull";

    // Key pairs
    public const string InvalidKeyPairNotFound = "InvalidKeyPair.NotFound";
    public const string InvalidKeyPairDuplicate = "InvalidKeyPair.Duplicate";
    public const string InvalidKeyFormat = "InvalidKey.Format";

    // Regions
    public const string InvalidRegion = "InvalidRegion";

    // Images
    public const string InvalidAmiIdNotFound = "InvalidAMIID.NotFound";
    public const string InvalidAmiIdMalformed = "InvalidAMIID.Malformed";
    public const string InvalidAmiIdUnavailable = "InvalidAMIID.Unavailable";
    public const string InvalidAmiNameDuplicate = "InvalidAMIName.Duplicate";
    public const string InvalidAmiNameMalformed = "InvalidAMIName.Malformed";
    public const string InvalidManifest = "InvalidManifest";
    public const string InvalidAmiAttributeItemValue = "InvalidAMIAttributeItemValue";

    // Bundle tasks
    public const string BundlingInProgress = "BundlingInProgress";
    public const string InvalidBundleIdNotFound = "InvalidBundleID.NotFound";
    public const string InvalidBundleIdMalformed = "InvalidBundleID.Malformed";
    public const string InvalidPolicy = "InvalidPolicy";
    public const string Cancelled = "Client.Cancelled";
    public const string IncorrectState = "IncorrectState";

    // Tags
    public const string InvalidTagKeyMalformed = "InvalidTagKey.Malformed";
    public const string TagLimitExceeded = "TagLimitExceeded";

    // S3
    public const string NoSuchBucket = "NoSuchBucket";
    public const string NoSuchKey = "NoSuchKey";
    public const string NoSuchUpload = "NoSuchUpload";
    public const string InvalidPart = "InvalidPart";
    public const string InvalidPartOrder = "InvalidPartOrder";
    public const string EntityTooSmall = "EntityTooSmall";
    public const string BucketNotEmpty = "BucketNotEmpty";
    public const string BucketAlreadyExists = "BucketAlreadyExists";
    public const string BucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou";
    public const string InvalidBucketName = "InvalidBucketName";
    public const string InvalidLocationConstraint = "InvalidLocationConstraint";
    public const string IllegalLocationConstraintException = "IllegalLocationConstraintException";
    public const string AccessDenied = "AccessDenied";
    public const string InvalidRange = "InvalidRange";
    public const string InvalidArgument = "InvalidArgument";
    public const string InvalidDigest = "InvalidDigest";
    public const string BadDigest = "BadDigest";
    public const string IncompleteBody = "IncompleteBody";
    public const string MalformedXml = "MalformedXML";
    public const string NotImplemented = "NotImplemented";
    public const string PreconditionFailed = "PreconditionFailed";
    public const string KeyTooLongError = "KeyTooLongError";
    public const string ConditionalRequestConflict = "ConditionalRequestConflict";
    public const string InvalidTag = "InvalidTag";

    /// <summary>S3's code for a tag set of more than 10 tags (not <see cref="InvalidTag"/>, as S3 answers it).</summary>
    public const string BadRequest = "BadRequest";

    /// <summary>GetBucketTagging of a bucket that has no tags (404).</summary>
    public const string NoSuchTagSet = "NoSuchTagSet";
}
