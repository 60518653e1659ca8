using System.Text;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.Ec2.Actions;

namespace OrleansEc2.Api.Tests.Protocol;

/// <summary>The Query protocol's parameter conventions, without a silo.</summary>
public sealed class QueryParsingTests
{
    private static QueryParameters Parse(string body) => QueryParameters.Parse(Encoding.UTF8.GetBytes(body), "", isPresigned: false);

    [Fact]
    public void GetList_IndexedParameters_ReturnsValuesInIndexOrder()
    {
        var p = Parse("InstanceId.2=i-22222222&InstanceId.1=i-11111111&InstanceId.10=i-aaaaaaaa");

        p.GetList("InstanceId").Should().Equal("i-11111111", "i-22222222", "i-aaaaaaaa");
    }

    [Fact]
    public void GetFilters_NamesAndValues_GroupsThemPerFilter()
    {
        var p = Parse("Filter.1.Name=tag%3AName&Filter.1.Value.1=web&Filter.1.Value.2=db%2A&Filter.2.Name=instance-state-name&Filter.2.Value.1=running");

        var filters = p.GetFilters(_ => true);

        filters.Should().HaveCount(2);
        filters[0].Name.Should().Be("tag:Name");
        filters[0].Values.Should().Equal("web", "db*");
        filters[1].Name.Should().Be("instance-state-name");
        filters[1].Values.Should().Equal("running");
    }

    [Fact]
    public void GetFilters_UnknownName_FailsWithInvalidParameterValue()
    {
        var act = () => Parse("Filter.1.Name=bogus&Filter.1.Value.1=x").GetFilters(n => n == "instance-id");

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidParameterValue");
    }

    [Fact]
    public void GetFilters_NoValue_FailsWithInvalidParameterValue()
    {
        var act = () => Parse("Filter.1.Name=instance-id").GetFilters(_ => true);

        act.Should().Throw<Ec2Exception>().Which.Message.Should().Contain("instance-id");
    }

    [Fact]
    public void GetFilters_ValueWithoutName_FailsWithMissingParameter()
    {
        var act = () => Parse("Filter.1.Value.1=x").GetFilters(_ => true);

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("MissingParameter");
    }

    [Fact]
    public void Parse_PlusAndPercentEncoding_DecodesAsAForm()
    {
        var p = Parse("Tag.1.Key=a+b&Tag.1.Value=%E2%82%AC%26");

        p.GetTags("Tag").Should().Equal(new Tag("a b", "€&"));
    }

    [Fact]
    public void Parse_RepeatedName_FailsWithInvalidParameterValue()
    {
        var act = () => Parse("Action=A&Action=B");

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidParameterValue");
    }

    [Fact]
    public void Parse_MoreParametersThanAllowed_FailsWithInvalidParameterValue()
    {
        var body = string.Join('&', Enumerable.Range(1, QueryParameters.MaxParameters + 1).Select(i => $"Filter.{i}.Name=x"));

        var act = () => Parse(body);

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidParameterValue");
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    public void GetBool_TrueOrFalse_Parses(string text, bool expected)
    {
        Parse("DryRun=" + text).GetBool("DryRun").Should().Be(expected);
    }

    [Fact]
    public void GetBool_Other_FailsWithInvalidParameterValue()
    {
        var act = () => Parse("DryRun=yes").GetBool("DryRun");

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidParameterValue");
    }

    [Theory]
    [InlineData("4")]
    [InlineData("1001")]
    [InlineData("ten")]
    [InlineData("99999999999")]
    public void GetInt_OutOfRangeOrNotANumber_FailsWithInvalidParameterValue(string text)
    {
        var act = () => Parse("MaxResults=" + text).GetInt("MaxResults", 5, 1000);

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidParameterValue");
    }

    [Theory]
    [InlineData("aws:reserved", "v")]
    [InlineData("", "v")]
    [InlineData("k", "\u0001")]
    public void GetTags_InvalidTag_FailsWithInvalidParameterValue(string key, string value)
    {
        var act = () => QueryParameters.Parse([], "Tag.1.Key=" + Uri.EscapeDataString(key) + "&Tag.1.Value=" + Uri.EscapeDataString(value), false).GetTags("Tag");

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidParameterValue");
    }

    [Fact]
    public void Schema_ParameterTheActionDoesNotTake_FailsWithUnknownParameter()
    {
        var schema = new ParameterSchema([.. ParameterSchema.Filters, "InstanceId.N"]);

        var act = () => schema.EnsureKnown(Parse("Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-11111111&Bogus=1"));

        act.Should().Throw<Ec2Exception>().Which.Message.Should().Be("The parameter Bogus is not recognized");
    }

    [Theory]
    [InlineData("Filter.1.Value.3", true)]
    [InlineData("Filter.1.Name", true)]
    [InlineData("Filter.0.Name", false)]
    [InlineData("Filter.01.Name", false)]
    [InlineData("Filter.x.Name", false)]
    [InlineData("Filter.1.Value", false)]
    [InlineData("InstanceId", false)]
    [InlineData("DryRun", true)]
    public void Schema_IndexedPatterns_MatchOnlyPositiveIndexes(string name, bool known)
    {
        new ParameterSchema([.. ParameterSchema.Filters, "InstanceId.N"]).IsKnown(name).Should().Be(known);
    }
}

public sealed class Ec2XmlWriterTests
{
    [Fact]
    public void Element_TextWithMarkupAndControlCharacters_IsEscapedAndStaysWellFormed()
    {
        var xml = new Ec2XmlWriter().Start("r").Element("v", "a<b>&\"c\u0001\ud800").End("r").ToString();

        xml.Should().Be("<r><v>a&lt;b&gt;&amp;\"c\uFFFD\uFFFD</v></r>");
        System.Xml.Linq.XElement.Parse(xml).Element("v")!.Value.Should().Be("a<b>&\"c\uFFFD\uFFFD");
    }

    [Fact]
    public void FormatTimestamp_IsUtcIsoWithMilliseconds()
    {
        Ec2XmlWriter.FormatTimestamp(new DateTimeOffset(2008, 10, 2, 11, 31, 44, TimeSpan.FromHours(2))).Should().Be("2008-10-02T09:31:44.000Z");
    }

    [Fact]
    public void ErrorDocument_HasEc2sShape()
    {
        var doc = System.Xml.Linq.XElement.Parse(Ec2Errors.Render("InvalidAction", "The action <x> is not valid", "req-1"));

        doc.Name.LocalName.Should().Be("Response");
        doc.Element("Errors")!.Element("Error")!.Element("Code")!.Value.Should().Be("InvalidAction");
        doc.Element("Errors")!.Element("Error")!.Element("Message")!.Value.Should().Be("The action <x> is not valid");
        doc.Element("RequestID")!.Value.Should().Be("req-1");
    }

    [Theory]
    [InlineData("AuthFailure", 401)]
    [InlineData("SignatureDoesNotMatch", 403)]
    [InlineData("UnauthorizedOperation", 403)]
    [InlineData("DryRunOperation", 412)]
    [InlineData("RequestLimitExceeded", 503)]
    [InlineData("InternalError", 500)]
    [InlineData("InvalidInstanceID.NotFound", 400)]
    [InlineData("IncorrectInstanceState", 400)]
    [InlineData("RequestExpired", 400)]
    public void StatusOf_ErrorCode_IsEc2sStatus(string code, int status)
    {
        Ec2Errors.StatusOf(code).Should().Be(status);
    }
}

public sealed class Ec2WildcardTests
{
    [Theory]
    [InlineData("web*", "web-1", true)]
    [InlineData("web*", "db-1", false)]
    [InlineData("w?b", "wab", true)]
    [InlineData("w?b", "wb", false)]
    [InlineData("*", "", true)]
    [InlineData("a\\*", "a*", true)]
    [InlineData("a\\*", "ab", false)]
    [InlineData("*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void IsMatch_Patterns_MatchAsEc2Does(string pattern, string value, bool expected)
    {
        Ec2Wildcard.IsMatch(pattern, value).Should().Be(expected);
    }
}

public sealed class OpenSshPublicKeyTests
{
    [Fact]
    public void Decode_Base64OfAnSshRsaLine_ReturnsTheLine()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var line = OpenSshPublicKey.FromPem(rsa.ExportSubjectPublicKeyInfoPem(), "me@host")!;

        OpenSshPublicKey.Decode(Convert.ToBase64String(Encoding.UTF8.GetBytes(line + "\n"))).Should().Be(line);
        line.Should().StartWith("ssh-rsa AAAAB3NzaC1yc2E").And.EndWith(" me@host");
    }

    [Theory]
    [InlineData("not base64 !!")]
    [InlineData("c3NoLWVkMjU1MTkgQUFBQQ==")]
    [InlineData("ssh-rsa AAAA")]
    public void Decode_NotAnSshRsaKey_FailsWithInvalidKeyFormat(string material)
    {
        var act = () => OpenSshPublicKey.Decode(material);

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidKey.Format");
    }
}

public sealed class OffsetPagingTests
{
    [Fact]
    public void Page_WalksTheListWithTokens()
    {
        var all = Enumerable.Range(0, 12).ToList();

        var (first, token) = OffsetPaging.Page(all, 5, null, "q");
        var (second, token2) = OffsetPaging.Page(all, 5, token, "q");
        var (third, token3) = OffsetPaging.Page(all, 5, token2, "q");

        first.Should().Equal(0, 1, 2, 3, 4);
        second.Should().Equal(5, 6, 7, 8, 9);
        third.Should().Equal(10, 11);
        token3.Should().BeNull();
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("NTpmZmZm")]
    public void Page_ForeignOrBrokenToken_FailsWithInvalidPaginationToken(string token)
    {
        var act = () => OffsetPaging.Page(Enumerable.Range(0, 12).ToList(), 5, token, "q");

        act.Should().Throw<Ec2Exception>().Which.Code.Should().Be("InvalidPaginationToken");
    }
}
