using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Grains.Tests.Accounts;

[Collection(ClusterCollection.Name)]
public sealed class AccountGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AccessKey_FindsItsAccount()
    {
        var key = await fixture.Grains.GetGrain<IAccessKeyGrain>("AKIAIOSFODNN7EXAMPLE").FindAsync();

        key.Should().Be(new AccessKey("AKIAIOSFODNN7EXAMPLE", ClusterFixture.Alice, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    }

    [Fact]
    public async Task AccessKey_Unknown_ReturnsNull()
    {
        (await fixture.Grains.GetGrain<IAccessKeyGrain>("AKIANOSUCHKEY0000000").FindAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Info_IsTheConfiguredAccount()
    {
        var info = await fixture.Grains.GetGrain<IAccountGrain>(ClusterFixture.Bob).GetInfoAsync();

        info.Should().BeEquivalentTo(new AccountInfo(ClusterFixture.Bob, "bob", ["AKIAI44QH8DHBEXAMPLE"]));
    }

    [Fact]
    public async Task UnknownAccount_FailsWithAuthFailure()
    {
        var act = () => fixture.Grains.GetGrain<IAccountGrain>("999999999999").GetSigningCredentialsAsync();

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.AuthFailure);
    }

    [Fact]
    public async Task SigningCredentials_AreStableAndAPairThatSigns()
    {
        var account = fixture.Grains.GetGrain<IAccountGrain>(ClusterFixture.Alice);

        var credentials = await account.GetSigningCredentialsAsync();
        var again = await account.GetSigningCertificatePemAsync();

        again.Should().Be(credentials.CertificatePem);
        using var certificate = X509Certificate2.CreateFromPem(credentials.CertificatePem);
        certificate.Subject.Should().Contain("alice").And.Contain(ClusterFixture.Alice);
        using var key = RSA.Create();
        key.ImportFromPem(credentials.PrivateKeyPem);
        var signature = key.SignData("manifest"u8.ToArray(), HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1);
        certificate.GetRSAPublicKey()!.VerifyData("manifest"u8.ToArray(), signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1).Should().BeTrue();
    }

    [Fact]
    public async Task SigningCredentials_DifferBetweenAccounts()
    {
        var alice = await fixture.Grains.GetGrain<IAccountGrain>(ClusterFixture.Alice).GetSigningCertificatePemAsync();
        var bob = await fixture.Grains.GetGrain<IAccountGrain>(ClusterFixture.Bob).GetSigningCertificatePemAsync();

        alice.Should().NotBe(bob);
    }
}
