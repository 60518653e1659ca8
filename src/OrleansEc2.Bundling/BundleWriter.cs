namespace OrleansEc2.Bundling;

/// <summary>
/// Bundles a disk image the way <c>ec2-bundle-image</c> did: tar (one entry named after the prefix) → SHA-1 of the tar
/// stream → gzip → AES-128-CBC with a random key and IV → parts of <see cref="BundleOptions.PartSize"/> with their SHA-1
/// → a manifest with the key and IV sealed to the region's EC2 certificate and the user's certificate, signed by the
/// user. The image is streamed: memory stays at a few parts and compression blocks whatever its size; blocks are
/// compressed on all cores while hashing, encryption and part writing overlap.
/// </summary>
public sealed class BundleWriter
{
    private readonly BundleOptions _options;

    public BundleWriter(BundleOptions options)
    {
        options.Validate();
        _options = options;
    }

    /// <summary>
    /// Bundles <paramref name="image"/> (already generalized by the caller, if it should be) from its current position.
    /// Parts go to <paramref name="sink"/> as each is complete; the manifest is returned, for the caller to store last.
    /// </summary>
    public async Task<BundleResult> WriteAsync(Stream image, IPartSink sink, IProgress<BundleProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(sink);
        using var userPublicKey = PemKeys.GetRsaPublicKey(_options.UserCertificate);
        using var ec2PublicKey = PemKeys.GetRsaPublicKey(_options.Ec2Certificate);

        var (imageSize, mustEndThere) = ResolveImageSize(image);
        var tar = TarHeader.Create(_options.Prefix, imageSize, _options.ModificationTime ?? _options.Clock.GetUtcNow());
        var key = _options.Key ?? BundleKey.CreateRandom();

        var pipeline = new BundlePipeline(_options, tar, key, image, mustEndThere, sink, progress);
        var output = await pipeline.RunAsync(cancellationToken);

        var manifest = new Manifest
        {
            Bundler = _options.Bundler,
            Architecture = _options.Architecture,
            BlockDeviceMappings = _options.BlockDeviceMappings,
            KernelId = _options.KernelId,
            RamdiskId = _options.RamdiskId,
            ProductCodes = _options.ProductCodes,
            Name = _options.Prefix,
            User = _options.User,
            ImageType = _options.ImageType,
            AncestorAmiIds = _options.AncestorAmiIds,
            Digest = output.TarDigest,
            Size = imageSize,
            BundledSize = output.Parts.Sum(p => p.Size),
            Ec2EncryptedKey = KeySealing.Seal(key.Key, ec2PublicKey),
            UserEncryptedKey = KeySealing.Seal(key.Key, userPublicKey),
            Ec2EncryptedIv = KeySealing.Seal(key.Iv, ec2PublicKey),
            UserEncryptedIv = KeySealing.Seal(key.Iv, userPublicKey),
            Parts = output.Parts.Select(p => new ManifestPart(p.Index, p.FileName, p.Digest)).ToList(),
        };

        return new BundleResult(ManifestSerializer.SerializeAndSign(manifest, _options.UserPrivateKey), output.Parts);
    }

    private (long Size, bool MustEndThere) ResolveImageSize(Stream image)
    {
        if (_options.ImageLength is { } length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(length, nameof(BundleOptions.ImageLength));
            return (length, true);
        }

        if (!image.CanSeek)
        {
            // Some forward-only streams (a generalized disk, a synthetic one) still know their length: read from the start.
            try
            {
                return (image.Length, true);
            }
            catch (NotSupportedException)
            {
                throw new ArgumentException("The image stream can neither seek nor tell its length, so the length must be given in BundleOptions.ImageLength.", nameof(image));
            }
        }

        return (image.Length - image.Position, false);
    }
}
