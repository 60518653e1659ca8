using System.Text.RegularExpressions;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bundling.Tests.Disks;

public sealed class MachineIdentityTests
{
    [Fact]
    public void CreateRandom_LooksLikeA2008Ec2WindowsInstance()
    {
        var identity = MachineIdentity.CreateRandom();

        identity.ComputerName.Should().MatchRegex("^WIN-[A-Z0-9]{11}$");
        identity.MacAddress.Should().MatchRegex("^12:31:39(:[0-9a-f]{2}){3}$");
        identity.Sid.Should().MatchRegex(@"^S-1-5-21-\d+-\d+-\d+$");
    }

    [Fact]
    public void CreateRandom_TwoCalls_GiveDifferentIdentities()
    {
        MachineIdentity.CreateRandom().Should().NotBe(MachineIdentity.CreateRandom());
    }

    [Fact]
    public void CreateRandom_SameRandomSeed_GivesTheSameIdentity()
    {
        MachineIdentity.CreateRandom(new Random(5)).Should().Be(MachineIdentity.CreateRandom(new Random(5)));
    }

    [Fact]
    public void Constructor_NormalizesCase()
    {
        var identity = new MachineIdentity("win-abc", "12:31:39:AB:CD:EF", "S-1-5-21-1-2-3");

        identity.Should().Be(new MachineIdentity("WIN-ABC", "12:31:39:ab:cd:ef", "S-1-5-21-1-2-3"));
    }

    [Theory]
    [InlineData("WIN-TOOLONGNAME12", "12:31:39:00:00:01", "S-1-5-21-1-2-3")]
    [InlineData("12345", "12:31:39:00:00:01", "S-1-5-21-1-2-3")]
    [InlineData("WIN_UNDERSCORE", "12:31:39:00:00:01", "S-1-5-21-1-2-3")]
    [InlineData("WIN-A", "12-31-39-00-00-01", "S-1-5-21-1-2-3")]
    [InlineData("WIN-A", "12:31:39:00:00:01", "S-1-5-32-544")]
    [InlineData("WIN-A", "12:31:39:00:00:01", "S-1-5-21-1-2-4294967296")]
    public void Constructor_ValueNotOfTheWindowsForm_IsRefused(string name, string mac, string sid)
    {
        var create = () => new MachineIdentity(name, mac, sid);

        create.Should().Throw<ArgumentException>();
    }
}
