using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OrleansEc2.Bundling;
using OrleansEc2.Grains.Buckets;
using OrleansEc2.Grains.Images;

namespace OrleansEc2.Grains.Migrations;

/// <summary>
/// A checked migration request: every refusal ec2-migrate-image could meet is met here, before anything changes, and
/// the manifest is re-sealed for the destination region (so the private key is needed only now).
/// </summary>
internal sealed record MigrationPlan(
    string SourceRegion,
    string DestinationRegion,
    bool DestinationBucketExists,
    string DestinationManifestKey,
    string SourceFolder,
    string DestinationFolder,
    IReadOnlyList<MigrationPart> Parts,
    string ResealedManifestXml,
    string ManifestContentType)
{
    public static async Task<MigrationPlan> MakeAsync(IGrainFactory grains, IBlobStore blobs, MigrateImageRequest request, int maxManifestBytes)
    {
        var accountId = Require(request.AccountId, "accountId");
        var certificatePem = Require(request.CertificatePem, "cert");
        var privateKeyPem = Require(request.PrivateKeyPem, "privateKey");
        var sourceBucketName = Require(request.SourceBucket, "sourceBucket");
        var manifestKey = Require(request.ManifestKey, "manifest");
        var destinationBucketName = Require(request.DestinationBucket, "destinationBucket");
        var location = Require(request.Location, "location");

        if (request.Registration is { } registration)
        {
            Ec2Ids.EnsureImageId(registration.ImageId);
            ImageRules.ValidateName(registration.Name);
            ImageRules.ValidateDescription(registration.Description);
        }

        using var certificate = ReadKeyMaterial(() => PemKeys.ParseCertificate(certificatePem), "cert", "an X.509 certificate in PEM");
        using var privateKey = ReadKeyMaterial(() => PemKeys.ParsePrivateKey(privateKeyPem), "privateKey", "an RSA private key in PEM");
        EnsureKeyOfCertificate(certificate, privateKey);
        await EnsureAccountCertificateAsync(grains, accountId, certificate);

        var destinationRegion = await grains.GetGrain<IRegionDirectoryGrain>(0).FindByLocationAsync(location)
            ?? throw new Ec2Exception(
                Ec2ErrorCodes.InvalidLocationConstraint,
                $"The location '{location}' is not a location this simulator knows: use a legacy location (US, EU) or a configured region name.");

        var sourceBucket = await grains.GetGrain<IBucketGrain>(sourceBucketName).FindAsync()
            ?? throw new Ec2Exception(Ec2ErrorCodes.NoSuchBucket, $"The specified bucket does not exist: {sourceBucketName}.");
        if (sourceBucket.OwnerId != accountId)
        {
            throw new Ec2Exception(Ec2ErrorCodes.AccessDenied, $"Access Denied: the source bucket {sourceBucketName} belongs to another account.");
        }

        var manifestObject = await grains.GetGrain<IBucketGrain>(sourceBucketName).GetObjectAsync(accountId, manifestKey);
        var manifestXml = await ReadManifestAsync(blobs, manifestObject, maxManifestBytes);
        var manifest = ParseManifest(manifestXml, sourceBucketName, manifestKey);

        using var destinationCertificate = PemKeys.ParseCertificate(await grains.GetGrain<IRegionGrain>(destinationRegion.RegionName).GetEc2CertificatePemAsync());
        var resealed = Reseal(manifestXml, certificate, privateKey, destinationCertificate, sourceBucketName, manifestKey);

        var sourceFolder = FolderOf(manifestKey);
        var destinationFolder = DestinationFolderOf(request.DestinationKeyPrefix, sourceFolder);
        var destinationManifestKey = destinationFolder + manifestKey[sourceFolder.Length..];
        if (destinationBucketName == sourceBucketName && destinationFolder == sourceFolder)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterCombination,
                $"The destination {destinationBucketName}/{destinationManifestKey} is the source itself: migrate to another bucket (or another folder).");
        }

        var destinationBucket = await grains.GetGrain<IBucketGrain>(destinationBucketName).FindAsync();
        if (destinationBucket is null)
        {
            BucketNames.ValidateS3(destinationBucketName);
        }
        else
        {
            EnsureUsableDestination(destinationBucket, accountId, destinationRegion.RegionName);
        }


        var parts = PartsOf(manifest, sourceFolder, destinationFolder);
        return new MigrationPlan(
            sourceBucket.Region,
            destinationRegion.RegionName,
            destinationBucket is not null,
            destinationManifestKey,
            sourceFolder,
            destinationFolder,
            parts,
            resealed,
            string.IsNullOrEmpty(manifestObject.ContentType) ? "text/xml" : manifestObject.ContentType);
    }

    /// <summary>The parts a manifest lists, as keys in the source and the destination buckets.</summary>
    public static IReadOnlyList<MigrationPart> PartsOf(Manifest manifest, string sourceFolder, string destinationFolder) =>
        [.. manifest.Parts.Select(p => new MigrationPart(sourceFolder + p.FileName, destinationFolder + p.FileName))];

    /// <summary>A destination bucket must be the caller's, in the destination region.</summary>
    public static void EnsureUsableDestination(BucketInfo bucket, string accountId, string region)
    {
        if (bucket.OwnerId != accountId)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.BucketAlreadyExists,
                $"The destination bucket '{bucket.Name}' belongs to another account. The bucket namespace is shared by all users: choose another name.");
        }

        if (bucket.Region != region)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.IllegalLocationConstraintException,
                $"The destination bucket '{bucket.Name}' is in {bucket.Region}, not in {region}: a migration's destination bucket must be in the destination location.");
        }
    }

    private static string Require(string? value, string name) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new Ec2Exception(Ec2ErrorCodes.MissingParameter, $"The request must contain the parameter {name}.")
            : value;

    private static T ReadKeyMaterial<T>(Func<T> read, string name, string what)
    {
        try
        {
            return read();
        }
        catch (BundleException e)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The {name} parameter is not {what}: {e.Message}");
        }
    }

    private static void EnsureKeyOfCertificate(X509Certificate2 certificate, RSA privateKey)
    {
        using var publicKey = certificate.GetRSAPublicKey()
            ?? throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterValue, $"The certificate {certificate.Subject} has no RSA public key.");
        var certificateKey = publicKey.ExportParameters(includePrivateParameters: false);
        var given = privateKey.ExportParameters(includePrivateParameters: false);
        if (!certificateKey.Modulus.AsSpan().SequenceEqual(given.Modulus) || !certificateKey.Exponent.AsSpan().SequenceEqual(given.Exponent))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterCombination,
                $"The private key does not belong to the certificate {certificate.Subject}: give the key the certificate was issued for.");
        }
    }

    private static async Task EnsureAccountCertificateAsync(IGrainFactory grains, string accountId, X509Certificate2 certificate)
    {
        using var accountCertificate = PemKeys.ParseCertificate(await grains.GetGrain<IAccountGrain>(accountId).GetSigningCertificatePemAsync());
        if (!accountCertificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The certificate {certificate.Subject} is not the signing certificate of account {accountId}: use the account's own certificate and private key.");
        }
    }

    private static async Task<string> ReadManifestAsync(IBlobStore blobs, S3ObjectInfo manifest, int maxBytes)
    {
        if (manifest.Size > maxBytes)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidManifest,
                $"{manifest.Bucket}/{manifest.Key} is {manifest.Size} bytes, too large for a bundle manifest (at most {maxBytes}).");
        }

        await using var stream = blobs.OpenRead(manifest.Blob.Hash);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        try
        {
            return await reader.ReadToEndAsync();
        }
        catch (DecoderFallbackException)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidManifest, $"{manifest.Bucket}/{manifest.Key} is not UTF-8 text, so it is not a bundle manifest.");
        }
    }

    private static Manifest ParseManifest(string xml, string bucket, string key)
    {
        try
        {
            return Manifest.Parse(xml);
        }
        catch (BundleException e)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidManifest, $"{bucket}/{key} is not a bundle manifest: {e.Message}");
        }
    }

    private static string Reseal(string xml, X509Certificate2 certificate, RSA privateKey, X509Certificate2 destinationCertificate, string bucket, string key)
    {
        try
        {
            return ManifestResealer.Reseal(xml, certificate, privateKey, destinationCertificate);
        }
        catch (BundleException e) when (e.Error is BundleError.WrongSigningKey or BundleError.SignatureMismatch)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidManifest, $"{bucket}/{key} was not signed by the certificate {certificate.Subject}: {e.Message}");
        }
        catch (BundleException e)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidManifest, $"{bucket}/{key} cannot be re-sealed: {e.Message}");
        }
    }

    /// <summary>The folder part of a key, with its trailing slash (<c>""</c> at the top of the bucket).</summary>
    private static string FolderOf(string key) => key[..(key.LastIndexOf('/') + 1)];

    private static string DestinationFolderOf(string? prefix, string sourceFolder)
    {
        if (prefix is null)
        {
            return sourceFolder;
        }

        if (prefix.Length > 0 && (!prefix.EndsWith('/') || prefix.StartsWith('/') || prefix.Length > 512))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The destination key prefix '{prefix}' must be a folder: at most 512 characters, ending in '/' and not starting with one.");
        }

        return prefix;
    }
}
