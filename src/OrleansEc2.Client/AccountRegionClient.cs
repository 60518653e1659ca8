namespace OrleansEc2.Client;

/// <summary>
/// One account in one region, the way an EC2 user works: the grains that hold what this account sees there.
/// Scenario helpers (launch, bundle, register, wait…) build on this.
/// </summary>
public sealed class AccountRegionClient
{
    internal AccountRegionClient(Ec2SimClient client, string accountId, string region)
    {
        if (accountId.Length != 12 || !accountId.All(char.IsAsciiDigit))
        {
            throw new ArgumentException($"An account id is 12 digits, not '{accountId}'.", nameof(accountId));
        }

        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("A region name (us-east-1) is required.", nameof(region));
        }

        Client = client;
        AccountId = accountId;
        Region = region;
    }

    public Ec2SimClient Client { get; }

    public string AccountId { get; }

    public string Region { get; }

    /// <summary>The key of this account's grains in this region: <c>{account}/{region}</c>.</summary>
    public string Key => AccountRegionKeys.Format(AccountId, Region);

    public IGrainFactory Grains => Client.Grains;

    /// <summary>The account's own grain (access keys, signing certificate).</summary>
    public IAccountGrain Account => Grains.GetGrain<IAccountGrain>(AccountId);

    /// <summary>The region's grain (zones, EC2 certificate, public AMIs).</summary>
    public IRegionGrain RegionGrain => Grains.GetGrain<IRegionGrain>(Region);

    /// <summary>The index of this account's instances, key pairs, tags and images in this region.</summary>
    public IAccountRegionGrain Resources => Grains.GetGrain<IAccountRegionGrain>(Key);
}
