using System.Collections.Immutable;
using System.Text;

namespace OrleansEc2;

/// <summary>Migration states, in the order a migration goes through them.</summary>
[GenerateSerializer, Alias("OrleansEc2.MigrationState")]
public enum MigrationState
{
    Pending = 0,
    CopyingParts = 1,
    WritingManifest = 2,
    Complete = 3,
    Failed = 4,
}

public static class MigrationStates
{
    /// <summary>The state as the simulator spells it (<c>copying-parts</c>).</summary>
    public static string ToSimName(this MigrationState state) => state switch
    {
        MigrationState.Pending => "pending",
        MigrationState.CopyingParts => "copying-parts",
        MigrationState.WritingManifest => "writing-manifest",
        MigrationState.Complete => "complete",
        MigrationState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Complete or failed: nothing more will happen to the migration.</summary>
    public static bool IsFinished(this MigrationState state) => state is MigrationState.Complete or MigrationState.Failed;
}

/// <summary>Error codes of migrations that EC2 never had (it had no migrate action).</summary>
public static class MigrationErrorCodes
{
    public const string InvalidMigrationIdNotFound = "InvalidMigrationID.NotFound";
    public const string InvalidMigrationIdMalformed = "InvalidMigrationID.Malformed";

    /// <summary>Throws <c>InvalidMigrationID.Malformed</c> unless <paramref name="value"/> is <c>mig-</c> + 8 hex digits.</summary>
    public static void EnsureMigrationId(string value)
    {
        if (!Ec2Ids.IsMigrationId(value))
        {
            throw new Ec2Exception(InvalidMigrationIdMalformed, $"Invalid id: \"{value}\" (expecting \"mig-...\")");
        }
    }
}

/// <summary>
/// CopyImage's part of a migration: once the bundle is in the destination, register it there as <see cref="ImageId"/>
/// (reserved as a pending image meanwhile, failed with the reason if the copy fails).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.MigrationImageRegistration")]
public sealed record MigrationImageRegistration(
    [property: Id(0)] string ImageId,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] string Architecture,
    [property: Id(4)] Platform Platform,
    [property: Id(5)] string SourceImageId,
    [property: Id(6)] string SourceRegion);

/// <summary>
/// CopyImage's question, asked in the destination region (<see cref="Caller"/>'s): the source image and region, and
/// the new image's name and description. <see cref="ImageId"/> is the id the copy gets (see <see cref="CopyImageIds"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.CopyImageRequest")]
public sealed record CopyImageRequest(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string SourceRegion,
    [property: Id(2)] string SourceImageId,
    [property: Id(3)] string Name,
    [property: Id(4)] string? Description,
    [property: Id(5)] string ImageId);

/// <summary>
/// The ids of a CopyImage: with a client token they are derived from it (the same token of the same account in the same
/// region gives the same image and migration, so a repeated request answers the first copy); without, fresh ones.
/// </summary>
public static class CopyImageIds
{
    public static (string ImageId, string MigrationId) For(Caller caller, string? clientToken)
    {
        var imageId = string.IsNullOrEmpty(clientToken)
            ? Ec2Ids.NewImageId()
            : "ami-" + HexHash($"CopyImage\n{caller.AccountId}\n{caller.Region}\n{clientToken}")[..17];
        return (imageId, MigrationIdOf(imageId));
    }

    /// <summary>The migration that copies the bundle of the image <paramref name="imageId"/>.</summary>
    public static string MigrationIdOf(string imageId) => "mig-" + HexHash("CopyImage migration\n" + imageId)[..8];

    private static string HexHash(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>Why a migration failed.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.MigrationError")]
public sealed record MigrationError([property: Id(0)] string Code, [property: Id(1)] string Message);

/// <summary>
/// <c>ec2-migrate-image --cert --privatekey --bucket --manifest --destination-bucket --location</c>: the user's
/// certificate and private key (PEM; they must be the account's signing pair), the bundle (its bucket and the key of its
/// manifest), and where it goes: a bucket in <see cref="Location"/> (<c>US</c>, <c>EU</c>, or a region name), created
/// there when missing. The parts keep their file names, under <see cref="DestinationKeyPrefix"/> when given (a folder
/// ending in <c>/</c>), otherwise under the manifest's own folder.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.MigrateImageRequest")]
public sealed record MigrateImageRequest(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string CertificatePem,
    [property: Id(2)] string PrivateKeyPem,
    [property: Id(3)] string SourceBucket,
    [property: Id(4)] string ManifestKey,
    [property: Id(5)] string DestinationBucket,
    [property: Id(6)] string Location,
    [property: Id(7)] string? DestinationKeyPrefix = null,
    [property: Id(8)] MigrationImageRegistration? Registration = null)
{
    // The PEM texts (the private key above all) stay out of logs and messages that print the request.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"AccountId = {AccountId}, SourceBucket = {SourceBucket}, ManifestKey = {ManifestKey}, ");
        builder.Append($"DestinationBucket = {DestinationBucket}, Location = {Location}, DestinationKeyPrefix = {DestinationKeyPrefix}, ");
        builder.Append($"Registration = {Registration}");
        return true;
    }
}

/// <summary>
/// A migration as it stands: where from, where to, its state and how many of its parts are copied; for a CopyImage,
/// the image it registers (<see cref="ImageId"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.MigrationDescription")]
public sealed record MigrationDescription(
    [property: Id(0)] string MigrationId,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string SourceBucket,
    [property: Id(3)] string SourceRegion,
    [property: Id(4)] string ManifestKey,
    [property: Id(5)] string DestinationBucket,
    [property: Id(6)] string DestinationRegion,
    [property: Id(7)] string DestinationManifestKey,
    [property: Id(8)] MigrationState State,
    [property: Id(9)] int PartsCopied,
    [property: Id(10)] int PartCount,
    [property: Id(11)] DateTimeOffset StartTime,
    [property: Id(12)] DateTimeOffset UpdateTime,
    [property: Id(13)] MigrationError? Error,
    [property: Id(14)] string? ImageId = null)
{
    /// <summary>Where RegisterImage finds the migrated bundle: <c>bucket/key</c> of the destination manifest.</summary>
    public string DestinationManifestLocation => $"{DestinationBucket}/{DestinationManifestKey}";

    /// <summary>The state with the part count while copying: <c>copying-parts (3/12)</c>.</summary>
    public string Progress => State == MigrationState.CopyingParts
        ? $"{State.ToSimName()} ({PartsCopied}/{PartCount})"
        : State.ToSimName();
}

/// <summary>
/// One migration (<c>mig-</c> + 8 hex): ec2-migrate-image run by the simulator. Every check is made before it is
/// accepted; then the parts are copied server-side (the same blob under new object metadata, never re-encrypted),
/// the manifest is re-sealed for the destination region's EC2 certificate, re-signed with the user's key, and written
/// last. Every transition is persisted; an unfinished migration resumes after a silo restart. Running the same
/// migration again (another id, same request) finds everything in place and changes nothing.
/// </summary>
public interface IMigrationGrain : IGrainWithStringKey
{
    /// <summary>
    /// Checks the request and starts the migration. Refusals: <c>MissingParameter</c>; <c>InvalidParameterValue</c>
    /// (unreadable certificate or key, or a certificate that is not the account's signing certificate);
    /// <c>InvalidParameterCombination</c> (a private key that is not the certificate's, or a destination that is the
    /// source itself); <c>InvalidLocationConstraint</c> (an unknown location); <c>NoSuchBucket</c>, <c>AccessDenied</c>,
    /// <c>NoSuchKey</c> (the source bucket or manifest); <c>InvalidManifest</c> (not a manifest, or not signed by that
    /// certificate); <c>InvalidBucketName</c>, <c>BucketAlreadyExists</c> (another owner's destination bucket),
    /// <c>IllegalLocationConstraintException</c> (a destination bucket in another region). The same request again on
    /// the same id answers the migration as it stands.
    /// </summary>
    Task<MigrationDescription> StartAsync(MigrateImageRequest request);

    /// <summary>
    /// CopyImage of an instance-store image the caller owns in <see cref="CopyImageRequest.SourceRegion"/>: a migration,
    /// signed with the account's own credentials, of its bundle into the caller's bucket
    /// <c>amis-for-{account}-in-{region}</c> of the destination region (under <c>{new image id}/</c>), and then its
    /// registration there as <see cref="CopyImageRequest.ImageId"/>, which is pending meanwhile (see
    /// <see cref="IImageGrain.ReservePendingAsync"/>), or failed with the reason. Deregistering the pending image cancels
    /// the copy: the migration fails with <c>Client.Cancelled</c> and what it copied is removed. Refusals besides
    /// StartAsync's: <c>InvalidRegion</c>, <c>InvalidAMIID.Malformed</c>/<c>.NotFound</c>/<c>.Unavailable</c> (not
    /// available), <c>UnsupportedOperation</c> (an image the caller does not own, or one with no bundle),
    /// <c>InvalidAMIName.Malformed</c>/<c>.Duplicate</c>, <c>InvalidParameterValue</c> (the description). The same
    /// request again on the same id answers the migration as it stands; another is <c>IdempotentParameterMismatch</c>.
    /// </summary>
    Task<MigrationDescription> StartCopyImageAsync(CopyImageRequest request);

    /// <summary>The migration as it stands; <c>InvalidMigrationID.NotFound</c> for another account's or an unknown one.</summary>
    Task<MigrationDescription> DescribeAsync(string accountId);

    /// <summary>
    /// Makes sure an unfinished migration's work is running (the start-up scan and the reminder call this). False when
    /// there is nothing to resume: no migration was ever recorded under this id, or it is finished and tidied up.
    /// </summary>
    Task<bool> ResumeAsync();
}

/// <summary>The ids of one account's unfinished migrations (keyed by account id), for the start-up scan.</summary>
public interface IMigrationRegistryGrain : IGrainWithStringKey
{
    Task AddAsync(string migrationId);

    Task RemoveAsync(string migrationId);

    Task<ImmutableArray<string>> GetUnfinishedAsync();
}
