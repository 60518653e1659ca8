using System.Collections.Concurrent;

namespace OrleansEc2.Api.Auth;

/// <summary>Finds the secret of an access key id (null when there is no such key).</summary>
public interface IAccessKeySource
{
    ValueTask<AccessKey?> FindAsync(string accessKeyId);
}

/// <summary>
/// Access keys from the <see cref="IAccessKeyGrain"/>s. Keys come from configuration and do not change while the silo
/// runs, so found keys are cached: a signed request costs no grain call for its key after the first.
/// </summary>
public sealed class GrainAccessKeySource(IGrainFactory grains) : IAccessKeySource
{
    private readonly ConcurrentDictionary<string, AccessKey> _found = new(StringComparer.Ordinal);

    public async ValueTask<AccessKey?> FindAsync(string accessKeyId)
    {
        if (_found.TryGetValue(accessKeyId, out var cached))
        {
            return cached;
        }

        var key = await grains.GetGrain<IAccessKeyGrain>(accessKeyId).FindAsync();
        if (key is not null)
        {
            _found[accessKeyId] = key;
        }

        return key;
    }
}
