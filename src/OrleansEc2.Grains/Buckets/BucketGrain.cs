using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansEc2.Grains.Blobs;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Buckets;

/// <summary>
/// One bucket with S3's semantics. Object bodies are blobs; this grain keeps their metadata and a reference to each
/// (<c>object:{bucket}/{key}</c>, <c>part:{bucket}/{uploadId}/{partNumber}</c>). A new reference is recorded before the
/// state that needs it is written, and an old one dropped only after, so a crash can leak a blob but never lose one.
/// </summary>
[Reentrant]
public sealed class BucketGrain(
    [PersistentState("bucket", GrainStorage.Name)] IPersistentState<BucketState> state,
    IBlobStore blobs,
    ISimulationClock clock,
    ILogger<BucketGrain> logger) : Grain, IBucketGrain
{
    private const string UsEast1 = "us-east-1";
    private const string DefaultContentType = "binary/octet-stream";
    private const long MinimumPartSize = 5L * 1024 * 1024;
    private const int MaxPartNumber = 10_000;
    private const int MaxKeyBytes = 1024;
    private const int MaxKeysPerDelete = 1000;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Every call runs inside this gate, so each sees only persisted state and changes one at a time. The grain is
    // reentrant only so that a completion's concatenation, done outside the gate, does not hold up the bucket.
    private readonly SemaphoreSlim _gate = new(1, 1);

    // The keys in S3's order, for listing; rebuilt from the state whenever the state is (re)loaded.
    private readonly List<string> _keys = [];

    private bool _stateUnknown;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RebuildKeyIndex();
        await DropStaleReferencesAsync();
        if (state.State.ToInfo(Name) is { } info)
        {
            try
            {
                // Repairs the owner's list if the silo stopped between persisting this bucket and updating the list.
                await AccountBuckets(info.OwnerId).AddAsync(info);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not confirm bucket {Bucket} in the bucket list of {Account}", info.Name, info.OwnerId);
            }
        }
    }

    public Task<BucketInfo> CreateAsync(string accountId, string region) =>
        GatedAsync(() => CreateCoreAsync(accountId, region, BucketNames.ValidateS3));

    public Task<BucketInfo> CreateWithLegacyNameAsync(string accountId, string region) =>
        GatedAsync(() => CreateCoreAsync(accountId, region, BucketNames.ValidateLegacy));

    public Task<BucketInfo> GetInfoAsync(string accountId) => GatedAsync(() => Task.FromResult(RequireOwner(accountId)));

    public Task<BucketInfo?> FindAsync() => GatedAsync(() => Task.FromResult(state.State.ToInfo(Name)));

    public Task DeleteAsync(string accountId) => GatedAsync(async () =>
    {
        var info = RequireOwner(accountId);
        if (state.State.Objects.Count > 0)
        {
            throw new Ec2Exception(Ec2ErrorCodes.BucketNotEmpty, $"The bucket you tried to delete is not empty: {Name}.");
        }

        // S3 deletes a bucket with multipart uploads in progress; the uploads go with it.
        var parts = state.State.Uploads.Values.SelectMany(PartReferences).ToList();

        // Unlisted first: a crash before the state is cleared leaves a bucket the next activation lists again.
        await AccountBuckets(info.OwnerId).RemoveAsync(Name);
        try
        {
            await state.ClearStateAsync();
        }
        catch
        {
            await ForgetUnpersistedChangesAsync();
            await AccountBuckets(info.OwnerId).AddAsync(info);
            throw;
        }

        state.State = new BucketState();
        _keys.Clear();
        await ReleaseAsync(parts);
    });

    public Task<S3ObjectInfo> PutObjectAsync(string accountId, PutObjectRequest request) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        ArgumentNullException.ThrowIfNull(request);
        ValidateKey(request.Key);
        var tags = ValidateTags(request.Tags);
        ValidateCannedAcl(request.CannedAcl);
        var blob = ValidateBlob(request.Blob);
        RequireWriteCondition(request.Key, request.Condition, conflict: request.Condition?.CheckedBefore ?? false);

        var holder = ObjectHolder(request.Key);
        await ReferenceAsync(blob, holder);
        var stored = new S3ObjectInfo(
            Name,
            request.Key,
            blob,
            blob.Md5Hex,
            clock.UtcNow,
            ContentTypeOrDefault(request.ContentType),
            request.UserMetadata ?? ImmutableDictionary<string, string>.Empty,
            request.Checksum,
            PartsCount: null,
            Tags: tags,
            CannedAcl: request.CannedAcl);
        var previous = SetObject(stored);
        await PersistAsync();
        await ReleaseAsync(Superseded(previous, blob, holder));
        return stored;
    });

    public Task CheckWriteConditionAsync(string accountId, string key, ObjectWriteCondition condition) => GatedAsync(() =>
    {
        RequireOwner(accountId);
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(condition);
        RequireWriteCondition(key, condition, conflict: false);
        return Task.CompletedTask;
    });

    public Task PutObjectTaggingAsync(string accountId, string key, ImmutableArray<Tag> tags) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        if (key is null || !state.State.Objects.TryGetValue(key, out var stored))
        {
            throw NoSuchKey(key);
        }

        var validated = ValidateTags(tags);
        var previous = stored.Tags;
        stored.Tags = StoredTags.From(validated);
        if (previous is null && stored.Tags is null)
        {
            return;
        }

        await PersistAsync();
    });

    public Task PutObjectAclAsync(string accountId, string key, string? cannedAcl) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        if (key is null || !state.State.Objects.TryGetValue(key, out var stored))
        {
            throw NoSuchKey(key);
        }

        ValidateCannedAcl(cannedAcl);
        if (stored.CannedAcl == cannedAcl)
        {
            return;
        }

        stored.CannedAcl = cannedAcl;
        await PersistAsync();
    });

    public Task<ImmutableArray<Tag>> GetBucketTaggingAsync(string accountId) => GatedAsync(() =>
    {
        RequireOwner(accountId);
        return state.State.Tags is { Count: > 0 } tags
            ? Task.FromResult(StoredTags.ToTags(tags))
            : throw new Ec2Exception(Ec2ErrorCodes.NoSuchTagSet, "The TagSet does not exist");
    });

    public Task PutBucketTaggingAsync(string accountId, ImmutableArray<Tag> tags) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        var validated = ValidateTags(tags, TagSetOwner.Bucket);
        var previous = state.State.Tags;
        state.State.Tags = StoredTags.From(validated);
        if (previous is null && state.State.Tags is null)
        {
            return;
        }

        await PersistAsync();
    });

    public Task<S3ObjectInfo> GetObjectAsync(string accountId, string key) => GatedAsync(() =>
    {
        RequireOwner(accountId);
        return Task.FromResult(RequireObject(key));
    });

    public Task DeleteObjectAsync(string accountId, string key) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        if (key is null || !state.State.Objects.TryGetValue(key, out var removed))
        {
            return;
        }

        RemoveObject(key);
        await PersistAsync();
        await ReleaseAsync([(removed.BlobHash, ObjectHolder(key))]);
    });

    public Task<ImmutableArray<DeleteObjectResult>> DeleteObjectsAsync(string accountId, ImmutableArray<string> keys) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        if (keys.IsDefaultOrEmpty || keys.Length > MaxKeysPerDelete)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.MalformedXml,
                $"A DeleteObjects request names between 1 and {MaxKeysPerDelete} keys; this one names {(keys.IsDefault ? 0 : keys.Length)}.");
        }

        var results = ImmutableArray.CreateBuilder<DeleteObjectResult>(keys.Length);
        var released = new List<(string Hash, string Holder)>();
        foreach (var key in keys)
        {
            if (KeyProblem(key) is { } problem)
            {
                results.Add(new DeleteObjectResult(key ?? "", problem.Code, problem.Message));
                continue;
            }

            if (state.State.Objects.TryGetValue(key, out var removed))
            {
                RemoveObject(key);
                released.Add((removed.BlobHash, ObjectHolder(key)));
            }

            results.Add(new DeleteObjectResult(key, null, null));
        }

        if (released.Count > 0)
        {
            await PersistAsync();
            await ReleaseAsync(released);
        }

        return results.MoveToImmutable();
    });

    public Task<int> DeleteObjectsWithPrefixAsync(string accountId, string prefix) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        ArgumentNullException.ThrowIfNull(prefix);
        var keys = _keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        if (keys.Count == 0)
        {
            return 0;
        }

        var released = new List<(string Hash, string Holder)>(keys.Count);
        foreach (var key in keys)
        {
            released.Add((state.State.Objects[key].BlobHash, ObjectHolder(key)));
            RemoveObject(key);
        }

        await PersistAsync();
        await ReleaseAsync(released);
        return keys.Count;
    });

    public Task<ObjectListing> ListObjectsAsync(string accountId, ListObjectsQuery query) => GatedAsync(() =>
    {
        RequireOwner(accountId);
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(ObjectListings.List(_keys, key => state.State.Objects[key].ToInfo(Name, key), query));
    });

    public Task<MultipartUploadInfo> CreateMultipartUploadAsync(
        string accountId,
        string key,
        string contentType,
        ImmutableDictionary<string, string> userMetadata,
        string? checksumAlgorithm,
        ImmutableArray<Tag> tags = default,
        string? cannedAcl = null) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        ValidateKey(key);
        var validated = ValidateTags(tags);
        ValidateCannedAcl(cannedAcl);
        string uploadId;
        do
        {
            uploadId = Base64Url(RandomNumberGenerator.GetBytes(48));
        }
        while (state.State.Uploads.ContainsKey(uploadId));

        var upload = new StoredUpload
        {
            UploadId = uploadId,
            Key = key,
            InitiatorId = accountId,
            Initiated = clock.UtcNow,
            ChecksumAlgorithm = string.IsNullOrEmpty(checksumAlgorithm) ? null : checksumAlgorithm,
            ContentType = ContentTypeOrDefault(contentType),
            UserMetadata = new Dictionary<string, string>(userMetadata ?? ImmutableDictionary<string, string>.Empty),
            Tags = StoredTags.From(validated),
            CannedAcl = cannedAcl,
        };
        state.State.Uploads[uploadId] = upload;
        await PersistAsync();
        return upload.ToInfo();
    });

    public Task<UploadedPart> UploadPartAsync(
        string accountId,
        string key,
        string uploadId,
        int partNumber,
        BlobInfo blob,
        ObjectChecksum? checksum) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        var upload = RequireUpload(key, uploadId);
        if (partNumber is < 1 or > MaxPartNumber)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidArgument,
                $"Part number must be an integer between 1 and {MaxPartNumber}, inclusive (was {partNumber}).");
        }

        blob = ValidateBlob(blob);
        if (upload.ChecksumAlgorithm is { } algorithm && checksum is not null
            && !string.Equals(algorithm, checksum.Algorithm, StringComparison.OrdinalIgnoreCase))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidRequest,
                $"Checksum Type mismatch occurred, expected checksum Type: {algorithm.ToLowerInvariant()}, actual checksum Type: {checksum.Algorithm.ToLowerInvariant()}");
        }

        var holder = PartHolder(uploadId, partNumber);
        await ReferenceAsync(blob, holder);
        var part = new UploadedPart(partNumber, blob, blob.Md5Hex, clock.UtcNow, checksum);
        upload.Parts.TryGetValue(partNumber, out var previous);
        upload.Parts[partNumber] = StoredPart.From(part);
        await PersistAsync();
        if (previous is not null && previous.BlobHash != blob.Hash)
        {
            await ReleaseAsync([(previous.BlobHash, holder)]);
        }

        return part;
    });

    public async Task<S3ObjectInfo> CompleteMultipartUploadAsync(
        string accountId,
        string key,
        string uploadId,
        ImmutableArray<CompletedPart> parts,
        ObjectChecksum? wholeObjectChecksum = null,
        ObjectWriteCondition? condition = null)
    {
        // The condition is decided before the parts are joined, so that a completion bound to fail costs no copy, and
        // again below, in the turn that records the object: a write to the key in between is a conflict, as in S3.
        var chosen = await GatedAsync(() =>
        {
            var selected = ChoosePartsToComplete(accountId, key, uploadId, parts);
            RequireWriteCondition(key, condition, conflict: false);
            return Task.FromResult(selected);
        });

        // Outside the gate: the bucket's other requests go on while the parts are copied into one blob. The copy is
        // durable (the blob store fsyncs) before the completion below is persisted.
        var hashes = chosen.Select(p => p.Blob.Hash).ToArray();
        var blob = await Task.Run(async () =>
        {
            await using var source = new ConcatenatedBlobStream(blobs, hashes);
            return await blobs.PutAsync(source);
        });

        return await GatedAsync(async () =>
        {
            RequireOwner(accountId);
            var upload = RequireUpload(key, uploadId);
            foreach (var part in chosen)
            {
                if (!upload.Parts.TryGetValue(part.PartNumber, out var current) || current.BlobHash != part.Blob.Hash)
                {
                    throw new Ec2Exception(
                        Ec2ErrorCodes.InvalidPart,
                        $"Part {part.PartNumber} was replaced while the upload was being completed; complete it again.");
                }
            }

            RequireWriteCondition(key, condition, conflict: true);
            var holder = ObjectHolder(key);
            await ReferenceAsync(blob, holder);
            // A composite checksum says nothing of one part, so the parts' own are kept for reads of one part, as S3 answers them.
            var composite = MultipartDigests.CompositeChecksumOf(upload.ChecksumAlgorithm, chosen.Select(p => p.Checksum).ToList());
            var stored = new S3ObjectInfo(
                Name,
                key,
                blob,
                MultipartDigests.ETagOf(chosen.Select(p => p.Blob.Md5Hex).ToList()),
                clock.UtcNow,
                upload.ContentType,
                upload.UserMetadata.ToImmutableDictionary(),
                composite ?? wholeObjectChecksum,
                chosen.Length,
                [.. chosen.Select(p => p.Blob.Length)],
                StoredTags.ToTags(upload.Tags),
                upload.CannedAcl,
                composite is null ? default : [.. chosen.Select(p => p.Checksum!.Value)]);
            var previous = SetObject(stored);
            state.State.Uploads.Remove(uploadId);
            await PersistAsync();
            await ReleaseAsync(Superseded(previous, blob, holder).Concat(PartReferences(upload)));
            return stored;
        });
    }

    public Task AbortMultipartUploadAsync(string accountId, string key, string uploadId) => GatedAsync(async () =>
    {
        RequireOwner(accountId);
        var upload = RequireUpload(key, uploadId);
        state.State.Uploads.Remove(uploadId);
        await PersistAsync();
        await ReleaseAsync(PartReferences(upload));
    });

    public Task<ImmutableArray<UploadedPart>> ListPartsAsync(string accountId, string key, string uploadId) => GatedAsync(() =>
    {
        RequireOwner(accountId);
        var upload = RequireUpload(key, uploadId);
        return Task.FromResult(upload.Parts.Values.OrderBy(p => p.PartNumber).Select(p => p.ToInfo()).ToImmutableArray());
    });

    public Task<ImmutableArray<MultipartUploadInfo>> ListMultipartUploadsAsync(string accountId, string? prefix) => GatedAsync(() =>
    {
        RequireOwner(accountId);
        var uploads = state.State.Uploads.Values
            .Select(u => u.ToInfo())
            .Where(u => prefix is null || u.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(u => u.Key, ObjectKeyOrder.Instance)
            .ThenBy(u => u.Initiated)
            .ThenBy(u => u.UploadId, StringComparer.Ordinal)
            .ToImmutableArray();
        return Task.FromResult(uploads);
    });

    private async Task<BucketInfo> CreateCoreAsync(string accountId, string region, Action<string> validateName)
    {
        validateName(Name);
        if (string.IsNullOrEmpty(accountId))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidArgument, "A bucket needs an owner.");
        }

        if (string.IsNullOrEmpty(region))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidLocationConstraint, "The specified location-constraint is not valid.");
        }

        if (state.State.ToInfo(Name) is { } existing)
        {
            if (existing.OwnerId != accountId)
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.BucketAlreadyExists,
                    "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.");
            }

            // Whatever the answer, the owner's list should hold the bucket (this also repairs it after a crash).
            await AccountBuckets(accountId).AddAsync(existing);
            if (existing.Region == UsEast1 && region == UsEast1)
            {
                return existing;
            }

            throw new Ec2Exception(
                Ec2ErrorCodes.BucketAlreadyOwnedByYou,
                $"Your previous request to create the named bucket succeeded and you already own it (in {existing.Region}).");
        }

        var info = new BucketInfo(Name, accountId, region, clock.UtcNow);
        state.State = new BucketState { OwnerId = info.OwnerId, Region = info.Region, CreationDate = info.CreationDate };
        _keys.Clear();
        await PersistAsync();
        await AccountBuckets(accountId).AddAsync(info);
        return info;
    }

    private ImmutableArray<UploadedPart> ChoosePartsToComplete(string accountId, string key, string uploadId, ImmutableArray<CompletedPart> parts)
    {
        RequireOwner(accountId);
        var upload = RequireUpload(key, uploadId);
        if (parts.IsDefaultOrEmpty)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.MalformedXml,
                "The XML you provided was not well-formed or did not validate against our published schema: it lists no parts.");
        }

        for (var i = 1; i < parts.Length; i++)
        {
            if (parts[i].PartNumber <= parts[i - 1].PartNumber)
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidPartOrder,
                    "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
            }
        }

        var chosen = ImmutableArray.CreateBuilder<UploadedPart>(parts.Length);
        foreach (var requested in parts)
        {
            if (!upload.Parts.TryGetValue(requested.PartNumber, out var part) || !ETagsMatch(requested.ETag, part.ETag))
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidPart,
                    $"One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag (part {requested.PartNumber}).");
            }

            chosen.Add(part.ToInfo());
        }

        for (var i = 0; i < chosen.Count - 1; i++)
        {
            if (chosen[i].Blob.Length < MinimumPartSize)
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.EntityTooSmall,
                    $"Your proposed upload is smaller than the minimum allowed object size: part {chosen[i].PartNumber} is {chosen[i].Blob.Length} bytes; every part but the last must be at least {MinimumPartSize}.");
            }
        }

        return chosen.MoveToImmutable();
    }

    private BucketInfo RequireOwner(string accountId)
    {
        var info = state.State.ToInfo(Name)
            ?? throw new Ec2Exception(Ec2ErrorCodes.NoSuchBucket, $"The specified bucket does not exist: {Name}.");
        if (info.OwnerId != accountId)
        {
            throw new Ec2Exception(Ec2ErrorCodes.AccessDenied, "Access Denied");
        }

        return info;
    }

    private S3ObjectInfo RequireObject(string key) =>
        key is not null && state.State.Objects.TryGetValue(key, out var stored)
            ? stored.ToInfo(Name, key)
            : throw NoSuchKey(key);

    private static Ec2Exception NoSuchKey(string? key) => new(Ec2ErrorCodes.NoSuchKey, $"The specified key does not exist: {key}.");

    /// <summary>
    /// Refuses a conditional write whose precondition the key's current state breaks. With <paramref name="conflict"/>
    /// the condition held when the request began, so another write to the key got in between: S3's conflict answer.
    /// </summary>
    private void RequireWriteCondition(string key, ObjectWriteCondition? condition, bool conflict)
    {
        var current = state.State.Objects.TryGetValue(key, out var stored) ? stored.ETag : null;
        if (condition?.FailureCode(current) is not { } code)
        {
            return;
        }

        if (conflict)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.ConditionalRequestConflict,
                "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.");
        }

        throw code == Ec2ErrorCodes.NoSuchKey
            ? NoSuchKey(key)
            : new Ec2Exception(Ec2ErrorCodes.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
    }

    private static ImmutableArray<Tag> ValidateTags(ImmutableArray<Tag> tags, TagSetOwner owner = TagSetOwner.Object)
    {
        if (tags.IsDefaultOrEmpty)
        {
            return [];
        }

        return ObjectTagRules.Check(tags, owner) is { } problem ? throw problem.ToException() : tags;
    }

    private static void ValidateCannedAcl(string? cannedAcl)
    {
        if (!ObjectCannedAcls.IsRecordable(cannedAcl))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidArgument,
                $"An object records no canned ACL but {ObjectCannedAcls.Ec2BundleRead} or {ObjectCannedAcls.AwsExecRead} (was {cannedAcl}).");
        }
    }

    private StoredUpload RequireUpload(string key, string uploadId) =>
        uploadId is not null && state.State.Uploads.TryGetValue(uploadId, out var upload) && upload.Key == key
            ? upload
            : throw new Ec2Exception(
                Ec2ErrorCodes.NoSuchUpload,
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");

    private static void ValidateKey(string key)
    {
        if (KeyProblem(key) is { } problem)
        {
            throw problem;
        }
    }

    private static Ec2Exception? KeyProblem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return new Ec2Exception(Ec2ErrorCodes.InvalidArgument, "An object key must not be empty.");
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(key);
        }
        catch (EncoderFallbackException)
        {
            return new Ec2Exception(Ec2ErrorCodes.InvalidArgument, "An object key must be valid UTF-8.");
        }

        return bytes > MaxKeyBytes
            ? new Ec2Exception(Ec2ErrorCodes.KeyTooLongError, $"Your key is too long: {bytes} bytes; the most is {MaxKeyBytes}.")
            : null;
    }

    private BlobInfo ValidateBlob(BlobInfo? blob)
    {
        if (blob is null || !blobs.Exists(blob.Hash))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidArgument, $"The object's body (blob {blob?.Hash}) is not in the blob store.");
        }

        return blob;
    }

    private async Task ReferenceAsync(BlobInfo blob, string holder)
    {
        try
        {
            await blobs.AddReferenceAsync(blob.Hash, holder);
        }
        catch (FileNotFoundException)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidArgument, $"The object's body (blob {blob.Hash}) is not in the blob store.");
        }
    }

    /// <summary>Drops the blob references of this bucket's holders that a crash left and its persisted state does not name.</summary>
    private async Task DropStaleReferencesAsync()
    {
        var needed = state.State.Objects.Select(o => new BlobReference(o.Value.BlobHash, ObjectHolder(o.Key)))
            .Concat(state.State.Uploads.Values.SelectMany(PartReferences).Select(r => new BlobReference(r.Hash, r.Holder)))
            .ToHashSet();
        try
        {
            var dropped = await blobs.DropStaleReferencesAsync([ObjectHolder(""), PartHolderPrefix], needed);
            if (dropped.Count > 0)
            {
                logger.LogInformation("Bucket {Bucket}: dropped {Count} blob reference(s) its state no longer names (left by a crash)", Name, dropped.Count);
            }
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Bucket {Bucket}: could not compare its blob references with its state; stale ones stay until its next activation", Name);
        }
    }

    /// <summary>Drops references the persisted state no longer needs. A failure only leaks a blob, so it is logged, not thrown.</summary>
    private async Task ReleaseAsync(IEnumerable<(string Hash, string Holder)> references)
    {
        foreach (var (hash, holder) in references)
        {
            try
            {
                await blobs.RemoveReferenceAsync(hash, holder);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not drop the reference of {Holder} to blob {Hash}; the blob stays until it is dropped", holder, hash);
            }
        }
    }

    private static IEnumerable<(string Hash, string Holder)> Superseded(StoredObject? previous, BlobInfo current, string holder) =>
        previous is not null && previous.BlobHash != current.Hash ? [(previous.BlobHash, holder)] : [];

    private IEnumerable<(string Hash, string Holder)> PartReferences(StoredUpload upload) =>
        upload.Parts.Values.Select(p => (p.BlobHash, PartHolder(upload.UploadId, p.PartNumber)));

    private StoredObject? SetObject(S3ObjectInfo stored)
    {
        if (state.State.Objects.TryGetValue(stored.Key, out var previous))
        {
            state.State.Objects[stored.Key] = StoredObject.From(stored);
            return previous;
        }

        state.State.Objects[stored.Key] = StoredObject.From(stored);
        var index = _keys.BinarySearch(stored.Key, ObjectKeyOrder.Instance);
        _keys.Insert(~index, stored.Key);
        return null;
    }

    private void RemoveObject(string key)
    {
        state.State.Objects.Remove(key);
        var index = _keys.BinarySearch(key, ObjectKeyOrder.Instance);
        if (index >= 0)
        {
            _keys.RemoveAt(index);
        }
    }

    private void RebuildKeyIndex()
    {
        _keys.Clear();
        _keys.AddRange(state.State.Objects.Keys);
        _keys.Sort(ObjectKeyOrder.Instance);
    }

    private async Task PersistAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await ForgetUnpersistedChangesAsync();
            throw;
        }
    }

    /// <summary>After a failed write, puts memory back to what storage holds, so no call sees a change that was not acknowledged.</summary>
    private async Task ForgetUnpersistedChangesAsync()
    {
        try
        {
            await state.ReadStateAsync();
            RebuildKeyIndex();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not reload bucket {Bucket} after a failed write; deactivating it", Name);
            _stateUnknown = true;
            DeactivateOnIdle();
        }
    }

    private Task GatedAsync(Func<Task> action) => GatedAsync(async () =>
    {
        await action();
        return true;
    });

    private async Task<T> GatedAsync<T>(Func<Task<T>> action)
    {
        await _gate.WaitAsync();
        try
        {
            if (_stateUnknown)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InternalError, "We encountered an internal error. Please try again.");
            }

            return await action();
        }
        finally
        {
            _gate.Release();
        }
    }

    private IAccountBucketsGrain AccountBuckets(string accountId) => GrainFactory.GetGrain<IAccountBucketsGrain>(accountId);

    private string ObjectHolder(string key) => $"object:{Name}/{key}";

    private string PartHolderPrefix => $"part:{Name}/";

    private string PartHolder(string uploadId, int partNumber) => $"{PartHolderPrefix}{uploadId}/{partNumber}";

    private static string ContentTypeOrDefault(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType) ? DefaultContentType : contentType;

    private static bool ETagsMatch(string? given, string stored) =>
        given is not null && string.Equals(given.Trim().Trim('"'), stored, StringComparison.OrdinalIgnoreCase);

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
