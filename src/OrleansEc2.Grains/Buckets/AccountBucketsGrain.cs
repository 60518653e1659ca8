using System.Collections.Immutable;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Buckets;

/// <summary>The index of one account's buckets for ListBuckets, kept by the bucket grains (which call it, never the reverse).</summary>
public sealed class AccountBucketsGrain(
    [PersistentState("accountBuckets", GrainStorage.Name)] IPersistentState<AccountBucketsState> state)
    : Grain, IAccountBucketsGrain
{
    public async Task AddAsync(BucketInfo bucket)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var accountId = this.GetPrimaryKeyString();
        if (bucket.OwnerId != accountId)
        {
            throw new ArgumentException($"Bucket {bucket.Name} belongs to {bucket.OwnerId}, not to {accountId}.", nameof(bucket));
        }

        if (state.State.Buckets.TryGetValue(bucket.Name, out var known) && known.ToInfo(bucket.Name) == bucket)
        {
            return;
        }

        state.State.Buckets[bucket.Name] = StoredBucket.From(bucket);
        await WriteOrForgetAsync();
    }

    public async Task RemoveAsync(string bucketName)
    {
        if (state.State.Buckets.Remove(bucketName))
        {
            await WriteOrForgetAsync();
        }
    }

    public Task<ImmutableArray<BucketInfo>> ListAsync() =>
        Task.FromResult(state.State.Buckets
            .OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => b.Value.ToInfo(b.Key))
            .ToImmutableArray());

    private async Task WriteOrForgetAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The change is not stored: drop it from memory too (reloaded by the next activation).
            DeactivateOnIdle();
            throw;
        }
    }
}
