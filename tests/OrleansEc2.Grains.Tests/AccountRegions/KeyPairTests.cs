using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Grains.Tests.AccountRegions;

[Collection(ClusterCollection.Name)]
public sealed class KeyPairTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Create_ReturnsAPrivateKeyMatchingTheStoredPublicKey()
    {
        var name = Scenario.Unique("key");
        var created = await Scenario.Index(fixture.Grains).CreateKeyPairAsync(name);

        created.PrivateKeyPem.Should().StartWith("-----BEGIN RSA PRIVATE KEY-----");
        created.KeyPair.KeyName.Should().Be(name);
        created.KeyPair.KeyPairId.Should().MatchRegex("^key-[0-9a-f]{17}$");
        created.KeyPair.KeyFingerprint.Should().MatchRegex("^([0-9a-f]{2}:){19}[0-9a-f]{2}$");
        using var privateKey = RSA.Create();
        privateKey.ImportFromPem(created.PrivateKeyPem);
        using var publicKey = RSA.Create();
        publicKey.ImportFromPem(created.KeyPair.PublicKeyPem);
        var sealedBytes = publicKey.Encrypt("hello"u8.ToArray(), RSAEncryptionPadding.Pkcs1);
        privateKey.Decrypt(sealedBytes, RSAEncryptionPadding.Pkcs1).Should().Equal("hello"u8.ToArray());
    }

    [Fact]
    public async Task Create_DuplicateName_FailsWithDuplicate()
    {
        var name = Scenario.Unique("key");
        var index = Scenario.Index(fixture.Grains);
        await index.CreateKeyPairAsync(name);

        var act = () => index.CreateKeyPairAsync(name);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidKeyPairDuplicate);
    }

    [Fact]
    public async Task Create_SameNameInAnotherAccount_Succeeds()
    {
        var name = Scenario.Unique("key");
        await Scenario.Index(fixture.Grains).CreateKeyPairAsync(name);

        var bob = await Scenario.Index(fixture.Grains, ClusterFixture.Bob).CreateKeyPairAsync(name);

        bob.KeyPair.KeyName.Should().Be(name);
    }

    [Fact]
    public async Task Import_OpenSshKey_IsDescribedWithAnMd5Fingerprint()
    {
        using var rsa = RSA.Create(2048);
        var name = Scenario.Unique("imported");
        var index = Scenario.Index(fixture.Grains);

        var imported = await index.ImportKeyPairAsync(name, OpenSshLine(rsa));

        imported.KeyFingerprint.Should().Be(string.Join(':', MD5.HashData(rsa.ExportSubjectPublicKeyInfo()).Select(b => b.ToString("x2"))));
        var described = await index.DescribeKeyPairsAsync([name], []);
        described.Should().ContainSingle().Which.Should().Be(imported);
    }

    [Theory]
    [InlineData("ssh-rsa not-base64 user@host")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz5 user@host")]
    [InlineData("")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")]
    public async Task Import_NotAnRsaPublicKey_FailsWithInvalidKeyFormat(string material)
    {
        var act = () => Scenario.Index(fixture.Grains).ImportKeyPairAsync(Scenario.Unique("bad"), material);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidKeyFormat);
    }

    [Fact]
    public async Task Describe_UnknownNameOrId_FailsWithNotFound()
    {
        var index = Scenario.Index(fixture.Grains);

        var byName = () => index.DescribeKeyPairsAsync([Scenario.Unique("missing")], []);
        var byId = () => index.DescribeKeyPairsAsync([], ["key-0123456789abcdef0"]);

        (await byName.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidKeyPairNotFound);
        (await byId.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidKeyPairNotFound);
    }

    [Fact]
    public async Task Describe_AnotherAccountsKey_FailsWithNotFound()
    {
        var name = Scenario.Unique("key");
        await Scenario.Index(fixture.Grains).CreateKeyPairAsync(name);

        var act = () => Scenario.Index(fixture.Grains, ClusterFixture.Bob).DescribeKeyPairsAsync([name], []);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidKeyPairNotFound);
    }

    [Fact]
    public async Task Delete_ByNameOrId_RemovesIt_AndDeletingAgainSucceeds()
    {
        var index = Scenario.Index(fixture.Grains);
        var first = await index.CreateKeyPairAsync(Scenario.Unique("key"));
        var second = await index.CreateKeyPairAsync(Scenario.Unique("key"));

        await index.DeleteKeyPairAsync(first.KeyPair.KeyName, null);
        await index.DeleteKeyPairAsync(null, second.KeyPair.KeyPairId);
        await index.DeleteKeyPairAsync(first.KeyPair.KeyName, null);

        var remaining = await index.DescribeKeyPairsAsync([], []);
        remaining.Select(k => k.KeyName).Should().NotContain([first.KeyPair.KeyName, second.KeyPair.KeyName]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("tab\tname")]
    public async Task Create_InvalidName_FailsWithInvalidParameterValue(string name)
    {
        var act = () => Scenario.Index(fixture.Grains).CreateKeyPairAsync(name);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
    }

    private static string OpenSshLine(RSA rsa)
    {
        var parameters = rsa.ExportParameters(false);
        using var blob = new MemoryStream();
        void Write(byte[] value)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
            blob.Write(length);
            blob.Write(value);
        }

        Write(Encoding.ASCII.GetBytes("ssh-rsa"));
        Write(parameters.Exponent!);
        Write([0, .. parameters.Modulus!]);
        return "ssh-rsa " + Convert.ToBase64String(blob.ToArray()) + " tester@example";
    }
}
