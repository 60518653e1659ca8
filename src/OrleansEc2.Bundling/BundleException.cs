namespace OrleansEc2.Bundling;

/// <summary>What was wrong with a bundle, so that callers can map it to their own error format (an EC2 error code, a CLI exit code).</summary>
public enum BundleError
{
    /// <summary>The manifest is not well-formed, or a field is missing or malformed.</summary>
    InvalidManifest,

    /// <summary>The manifest was signed by the user's key, but its signed content was changed afterwards.</summary>
    SignatureMismatch,

    /// <summary>The manifest was signed by another key than the user's certificate.</summary>
    WrongSigningKey,

    /// <summary>The region's EC2 private key cannot unseal the image key: the bundle was sealed for another region.</summary>
    KeyNotSealedForRegion,

    /// <summary>The user's private key cannot unseal the image key.</summary>
    KeyNotSealedForUser,

    /// <summary>A part listed in the manifest cannot be found.</summary>
    PartMissing,

    /// <summary>A part's SHA-1 differs from the manifest's.</summary>
    PartDigestMismatch,

    /// <summary>The parts add up to another size than the manifest's <c>bundled_size</c>.</summary>
    BundledSizeMismatch,

    /// <summary>The parts do not decrypt, inflate or untar to a single image.</summary>
    CorruptBundle,

    /// <summary>The SHA-1 of the unbundled tar stream differs from the manifest's image digest.</summary>
    ImageDigestMismatch,

    /// <summary>The unbundled image has another size than the manifest's <c>size</c>.</summary>
    ImageSizeMismatch,

    /// <summary>The image stream given to the bundle writer is shorter or longer than announced.</summary>
    InvalidImage,

    /// <summary>A certificate or private key cannot be read or has the wrong kind of key.</summary>
    InvalidKeyMaterial,
}

/// <summary>
/// A bundle, manifest, key or image was refused. The message is meant for the caller as it is: it names the first
/// bad part or field.
/// </summary>
public sealed class BundleException : Exception
{
    public BundleException(BundleError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    public BundleError Error { get; }

    /// <summary>The file name of the part at fault, when a part is.</summary>
    public string? PartFileName { get; init; }

    /// <summary>The manifest field at fault (e.g. <c>image/size</c>), when one is.</summary>
    public string? Field { get; init; }
}
