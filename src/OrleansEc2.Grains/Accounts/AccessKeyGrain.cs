using Microsoft.Extensions.Options;
using OrleansEc2.Grains.Configuration;

namespace OrleansEc2.Grains.Accounts;

/// <summary>Which account an access key belongs to. Keys come from configuration, so there is nothing to persist.</summary>
public sealed class AccessKeyGrain(IOptions<SimulatorOptions> options) : Grain, IAccessKeyGrain
{
    public Task<AccessKey?> FindAsync()
    {
        var id = this.GetPrimaryKeyString();
        var account = options.Value.Accounts.FirstOrDefault(a => string.Equals(a.AccessKeyId, id, StringComparison.Ordinal));
        return Task.FromResult(account is null ? null : new AccessKey(account.AccessKeyId, account.AccountId, account.SecretAccessKey));
    }
}
