using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>An EC2 key pair, as DescribeKeyPairs shows it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.KeyPairInfo")]
public sealed record KeyPairInfo(
    [property: Id(0)] string KeyName,
    [property: Id(1)] string KeyPairId,
    [property: Id(2)] string KeyFingerprint,
    [property: Id(3)] string KeyType,
    [property: Id(4)] string PublicKeyPem,
    [property: Id(5)] DateTimeOffset CreateTime);

/// <summary>CreateKeyPair's answer: the only time the private key (PKCS#1 PEM) is ever shown.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.CreatedKeyPair")]
public sealed record CreatedKeyPair(
    [property: Id(0)] KeyPairInfo KeyPair,
    [property: Id(1)] string PrivateKeyPem);

/// <summary>DescribeInstances' question: ids and filters, and a page (MaxResults / NextToken).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.InstanceQuery")]
public sealed record InstanceQuery(
    [property: Id(0)] ImmutableArray<string> InstanceIds,
    [property: Id(1)] ImmutableArray<Ec2Filter> Filters,
    [property: Id(2)] int? MaxResults,
    [property: Id(3)] string? NextToken);

/// <summary>One page of DescribeInstances: instances (tags filled in, states as of now) and the token of the next page.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.InstancePage")]
public sealed record InstancePage(
    [property: Id(0)] ImmutableArray<InstanceDescription> Instances,
    [property: Id(1)] string? NextToken,
    [property: Id(2)] long IndexVersion);

/// <summary>DeleteTags' item: a key, and the value it must have to be removed (null: whatever its value).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.TagRemoval")]
public sealed record TagRemoval([property: Id(0)] string Key, [property: Id(1)] string? Value);

/// <summary>A tag on a resource, as DescribeTags shows it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ResourceTag")]
public sealed record ResourceTag(
    [property: Id(0)] string ResourceId,
    [property: Id(1)] string ResourceType,
    [property: Id(2)] string Key,
    [property: Id(3)] string Value);

/// <summary>
/// The index of one account's resources in one region (<c>{account}/{region}</c>): snapshots of its instances
/// (kept current by the instance grains), its key pairs, its tags and its RunInstances client tokens.
/// Describe* reads here, so listing fifty instances is one grain call. Calls flow into this grain, never out of it.
/// </summary>
public interface IAccountRegionGrain : IGrainWithStringKey
{
    /// <summary>Records an instance's latest description (instance grains call this on every change).</summary>
    Task UpsertInstanceAsync(InstanceDescription instance);

    Task<InstancePage> DescribeInstancesAsync(InstanceQuery query);

    /// <summary>
    /// Binds a RunInstances client token to a reservation. Returns the reservation already bound to the token
    /// (and the hash of the request that bound it), or binds <paramref name="reservationId"/> and returns it.
    /// </summary>
    Task<(string ReservationId, string RequestHash)> ClaimClientTokenAsync(string clientToken, string reservationId, string requestHash);

    Task<CreatedKeyPair> CreateKeyPairAsync(string keyName);

    Task<KeyPairInfo> ImportKeyPairAsync(string keyName, string publicKeyMaterial);

    /// <summary>Key pairs by name or id (all when both are empty); <c>InvalidKeyPair.NotFound</c> for a name or id that does not exist.</summary>
    Task<ImmutableArray<KeyPairInfo>> DescribeKeyPairsAsync(ImmutableArray<string> keyNames, ImmutableArray<string> keyPairIds);

    /// <summary>Deletes by name or id; deleting one that does not exist succeeds, as in EC2.</summary>
    Task DeleteKeyPairAsync(string? keyName, string? keyPairId);

    /// <summary>Sets tags on resources this account owns in this region; <c>InvalidID</c>-style not-found errors otherwise.</summary>
    Task CreateTagsAsync(ImmutableArray<string> resourceIds, ImmutableArray<Tag> tags);

    /// <summary>Removes tags: a tag with a null value removes the key whatever its value; with a value, only when it matches.</summary>
    Task DeleteTagsAsync(ImmutableArray<string> resourceIds, ImmutableArray<TagRemoval> tags);

    Task<ImmutableArray<ResourceTag>> DescribeTagsAsync(ImmutableArray<Ec2Filter> filters);

    /// <summary>The images this account can see here: public ones, its own, and those shared with it; filtered.</summary>
    Task<ImmutableArray<ImageDescription>> DescribeImagesAsync(ImageQuery query);

    /// <summary>Records a bundle task's latest description (bundle task grains call this on every change).</summary>
    Task UpsertBundleTaskAsync(BundleTaskDescription task);

    /// <summary>
    /// DescribeBundleTasks: by ids (<c>InvalidBundleID.NotFound</c> for one that is not this account's) and filters
    /// (bundle-id, error-code, error-message, instance-id, progress, s3-bucket, s3-prefix, start-time, state,
    /// update-time). Finished tasks stay listed for the configured retention.
    /// </summary>
    Task<ImmutableArray<BundleTaskDescription>> DescribeBundleTasksAsync(ImmutableArray<string> bundleIds, ImmutableArray<Ec2Filter> filters);

    /// <summary>The ids of this account's bundle tasks here that are not finished (for the start-up scan).</summary>
    Task<ImmutableArray<string>> GetUnfinishedBundleTasksAsync();

    /// <summary>
    /// Records a newly registered image of this account, claiming its name: <c>InvalidAMIName.Duplicate</c> when
    /// another image of the account here (not deregistered) already has it. Idempotent for the same image.
    /// </summary>
    Task RegisterImageAsync(ImageDescription image);

    /// <summary>
    /// Records an image's latest description and the accounts explicitly allowed to launch it (for DescribeImages'
    /// executable-by); image grains call this on every change, on the owner's index and on those it is shared with.
    /// </summary>
    Task PublishImageAsync(ImageDescription image, ImmutableArray<string> launchPermissionUserIds);

    /// <summary>Drops an image this account no longer sees (its share was revoked, or it stopped being public).</summary>
    Task RemoveImageAsync(string imageId);
}
