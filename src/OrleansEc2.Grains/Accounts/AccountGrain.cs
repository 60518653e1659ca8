using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using OrleansEc2.Grains.Configuration;
using OrleansEc2.Grains.Crypto;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Accounts;

[GenerateSerializer, Alias("OrleansEc2.Grains.AccountState")]
public sealed class AccountState
{
    [Id(0)]
    public SigningCredentials? Signing { get; set; }
}

/// <summary>One configured account and its signing certificate, generated on first use and persisted.</summary>
public sealed class AccountGrain(
    [PersistentState("account", GrainStorage.Name)] IPersistentState<AccountState> state,
    IOptions<SimulatorOptions> options,
    ISimulationClock clock) : Grain, IAccountGrain
{
    public Task<AccountInfo> GetInfoAsync()
    {
        var account = Configured();
        return Task.FromResult(new AccountInfo(account.AccountId, account.Name, [account.AccessKeyId]));
    }

    public async Task<string> GetSigningCertificatePemAsync() => (await EnsureSigningAsync()).CertificatePem;

    public Task<SigningCredentials> GetSigningCredentialsAsync() => EnsureSigningAsync();

    private async Task<SigningCredentials> EnsureSigningAsync()
    {
        var account = Configured();
        if (state.State.Signing is null)
        {
            state.State.Signing = Certificates.CreateSelfSigned($"CN={account.Name} ({account.AccountId}), O=OrleansEc2 account", clock.UtcNow);
            await state.WriteStateAsync();
        }

        return state.State.Signing;
    }

    private AccountOptions Configured()
    {
        var id = this.GetPrimaryKeyString();
        return options.Value.Accounts.FirstOrDefault(a => a.AccountId == id)
            ?? throw new Ec2Exception(Ec2ErrorCodes.AuthFailure, $"Account '{id}' does not exist.");
    }
}
