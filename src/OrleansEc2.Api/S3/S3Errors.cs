namespace OrleansEc2.Api.S3;

/// <summary>
/// S3's error codes that only the REST front door raises (the ones grains raise are in <see cref="Ec2ErrorCodes"/>),
/// and the HTTP status each code answers with.
/// </summary>
internal static class S3Errors
{
    public const string AuthorizationHeaderMalformed = "AuthorizationHeaderMalformed";
    public const string AuthorizationQueryParametersError = "AuthorizationQueryParametersError";
    public const string XAmzContentSha256Mismatch = "XAmzContentSHA256Mismatch";
    public const string MethodNotAllowed = "MethodNotAllowed";
    public const string EntityTooLarge = "EntityTooLarge";
    public const string MetadataTooLarge = "MetadataTooLarge";
    public const string MalformedTrailerError = "MalformedTrailerError";
    public const string MaxMessageLengthExceeded = "MaxMessageLengthExceeded";
    public const string MissingContentLength = "MissingContentLength";
    public const string NoSuchVersion = "NoSuchVersion";
    public const string AccessControlListNotSupported = "AccessControlListNotSupported";
    public const string InvalidStorageClass = "InvalidStorageClass";
    public const string InvalidPartNumber = "InvalidPartNumber";
    public const string InvalidUri = "InvalidURI";
    public const string SlowDown = "SlowDown";
    public const string ServiceUnavailable = "ServiceUnavailable";
    public const string MissingRequestBodyError = "MissingRequestBodyError";
    public const string InvalidPolicyDocument = "InvalidPolicyDocument";
    public const string MaxPostPreDataLengthExceeded = "MaxPostPreDataLengthExceeded";
    public const string IncorrectNumberOfFilesInPostRequest = "IncorrectNumberOfFilesInPostRequest";
    public const string MalformedPostRequest = "MalformedPOSTRequest";
    public const string InvalidToken = "InvalidToken";
    public const string MissingSecurityHeader = "MissingSecurityHeader";

    public const string InternalErrorMessage = "We encountered an internal error. Please try again.";

    private const string ElementPrefix = "S3Error.";

    public static int StatusOf(string code) => code switch
    {
        Ec2ErrorCodes.AccessDenied
            or Ec2ErrorCodes.SignatureDoesNotMatch
            or Ec2ErrorCodes.InvalidAccessKeyId
            or Ec2ErrorCodes.RequestTimeTooSkewed => 403,
        Ec2ErrorCodes.NoSuchBucket
            or Ec2ErrorCodes.NoSuchKey
            or Ec2ErrorCodes.NoSuchUpload
            or Ec2ErrorCodes.NoSuchTagSet
            or NoSuchVersion => 404,
        _ when S3Operations.IsMissingConfiguration(code) => 404,
        MethodNotAllowed => 405,
        Ec2ErrorCodes.BucketAlreadyExists
            or Ec2ErrorCodes.BucketAlreadyOwnedByYou
            or Ec2ErrorCodes.BucketNotEmpty
            or Ec2ErrorCodes.ConditionalRequestConflict => 409,
        MissingContentLength => 411,
        Ec2ErrorCodes.PreconditionFailed => 412,
        Ec2ErrorCodes.InvalidRange or InvalidPartNumber => 416,
        Ec2ErrorCodes.InternalError => 500,
        Ec2ErrorCodes.NotImplemented => 501,
        SlowDown or ServiceUnavailable => 503,
        _ => 400,
    };

    public static Ec2Exception NotImplemented(string operation) =>
        new(Ec2ErrorCodes.NotImplemented, $"The {operation} operation is not implemented by this S3 endpoint.");

    public static Ec2Exception InvalidArgument(string message) => new(Ec2ErrorCodes.InvalidArgument, message);

    public static Ec2Exception InvalidRequest(string message) => new(Ec2ErrorCodes.InvalidRequest, message);

    public static Ec2Exception MalformedXml() =>
        new(Ec2ErrorCodes.MalformedXml, "The XML you provided was not well-formed or did not validate against our published schema.");

    public static Ec2Exception IncompleteBody(string detail) =>
        new(Ec2ErrorCodes.IncompleteBody, "You did not provide the number of bytes specified by the Content-Length HTTP header: " + detail);

    public static Ec2Exception AccessDenied() => new(Ec2ErrorCodes.AccessDenied, "Access Denied");

    public static Ec2Exception MissingRequestBody() => new(MissingRequestBodyError, "Request Body is empty");

    /// <summary>
    /// Adds an element to the error document S3 answers for <paramref name="error"/>, after its message (S3's
    /// <c>Condition</c>, <c>Header</c>, <c>TagKey</c>, <c>ArgumentName</c> …); nothing when <paramref name="value"/> is null.
    /// </summary>
    public static Ec2Exception WithElement(this Ec2Exception error, string name, string? value)
    {
        if (value is not null)
        {
            error.Data[ElementPrefix + name] = value;
        }

        return error;
    }

    /// <summary>The elements <see cref="WithElement"/> added, in the order they were added.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ElementsOf(Ec2Exception error)
    {
        foreach (System.Collections.DictionaryEntry entry in error.Data)
        {
            if (entry.Key is string key && key.StartsWith(ElementPrefix, StringComparison.Ordinal) && entry.Value is string value)
            {
                yield return new(key[ElementPrefix.Length..], value);
            }
        }
    }
}
