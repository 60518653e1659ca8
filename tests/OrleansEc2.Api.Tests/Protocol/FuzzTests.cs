using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Amazon.EC2.Model;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Protocol;

/// <summary>
/// Thousands of malformed, truncated and random requests — validly signed garbage too, so the action parsers are
/// fuzzed and not just the signature check: never a 5xx, always a well-formed answer, and no state changed.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class FuzzTests(ApiSiloFixture silo)
{
    private const int Requests = 3000;

    private static readonly string[] Names =
    [
        "Action", "Version", "DryRun", "InstanceId.1", "InstanceId.2", "InstanceId.0", "InstanceId.x", "ImageId", "MinCount", "MaxCount",
        "InstanceType", "KeyName", "KeyPairId", "KeyName.1", "KeyPairId.1", "Placement.AvailabilityZone", "ClientToken", "Filter.1.Name",
        "Filter.1.Value.1", "Filter.2.Name", "Filter.1.Value.99999", "MaxResults", "NextToken", "ResourceId.1", "Tag.1.Key", "Tag.1.Value",
        "TagSpecification.1.ResourceType", "TagSpecification.1.Tag.1.Key", "TagSpecification.1.Tag.1.Value", "PublicKeyMaterial",
        "RegionName.1", "ZoneName.1", "ZoneId.1", "Owner.1", "ExecutableBy.1", "IncludeAllInstances", "Force", "AllRegions",
        "IncludePublicKey", "KeyType", "KeyFormat", "AdditionalInfo", "", "%", "Action.1",
    ];

    private static readonly string[] Values =
    [
        "", "true", "false", "0", "1", "-1", "5", "1001", "2147483648", "i-0123456789abcdef0", "i-12345678", "i-", "ami-0123456789abcdef0",
        "ami-xyz", "key-0123456789abcdef0", "m1.small", "huge", "us-east-1a", "eu-west-1a", "tag:Name", "instance-state-name", "running",
        "*", "?", "\\", "self", "amazon", "all", "123456789012", "instance", "volume", "aws:x", "c3NoLXJzYSBBQUFB", "ssh-rsa AAAA",
        "<xml>&amp;", "\u0001\u0002", "\ud800", "€€€", new string('a', 300), "2016-11-15", "1999-01-01", "%ZZ", "+", "NTpmZmZm",
    ];

    private static readonly string[] Actions = [.. Ec2QueryEndpoint.ActionNames, "LaunchRockets", "describeinstances", ""];

    [Fact]
    public async Task RandomRequests_NeverFailServerSideAndChangeNothing()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var before = await SnapshotAsync();
        var random = new Random(20081002);
        var requests = Enumerable.Range(0, Requests).Select(_ => NextRequest(random, id)).ToList();

        // Two requests known to be valid, so the coverage check below does not hang on what the random draw picks
        // (it shifts whenever an action is added to the catalog).
        requests.Add(SignedRequest(RequestSigner.Form([("Action", "DescribeRegions"), ("Version", "2016-11-15")])));
        requests.Add(SignedRequest(RequestSigner.Form([("Action", "RebootInstances"), ("Version", "2016-11-15"), ("InstanceId.1", id), ("DryRun", "true")])));
        var failures = new List<string>();
        var codes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var started = DateTime.UtcNow;

        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (build, cancellationToken) =>
        {
            using var request = build();
            using var response = await silo.Http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var problem = Check((int)response.StatusCode, text);
            codes.AddOrUpdate(CodeOf((int)response.StatusCode, text), 1, (_, n) => n + 1);
            if (problem is not null)
            {
                lock (failures)
                {
                    failures.Add($"{problem} for {request.Method} {request.RequestUri}: {text[..Math.Min(text.Length, 300)]}");
                }
            }
        });

        failures.Should().BeEmpty($"{failures.Count} of {Requests} answers were wrong");

        // The signed garbage got past the signature check into the parsers and the actions.
        codes.Keys.Should().Contain(["200", "DryRunOperation", "MissingParameter", "InvalidParameterValue", "UnknownParameter", "InvalidAction", "SignatureDoesNotMatch", "AuthFailure"]);
        codes.Keys.Should().Contain(c => c.StartsWith("InvalidInstanceID.", StringComparison.Ordinal));
        silo.Log.Errors.Should().BeEmpty();
        (await SnapshotAsync()).Should().Be(before);
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(60));
    }

    private static string CodeOf(int status, string text)
    {
        if (status == 200)
        {
            return "200";
        }

        var start = text.IndexOf("<Code>", StringComparison.Ordinal);
        var end = text.IndexOf("</Code>", StringComparison.Ordinal);
        return start >= 0 && end > start ? text[(start + 6)..end] : status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Null when the answer is a well-formed EC2 (or, for non-EC2 requests, S3) document with a non-5xx status.</summary>
    private static string? Check(int status, string text)
    {
        // 501 NotImplemented is the S3 stand-in's answer to S3-scoped requests until the S3 API exists.
        if (status >= 500 && !(status == 501 && text.Contains("<Code>NotImplemented</Code>", StringComparison.Ordinal)))
        {
            return $"status {status}";
        }

        XElement document;
        try
        {
            document = XElement.Parse(text);
        }
        catch (System.Xml.XmlException e)
        {
            return "malformed XML: " + e.Message;
        }

        return document.Name.LocalName switch
        {
            "Response" when status >= 400 && !string.IsNullOrEmpty(document.Element("Errors")?.Element("Error")?.Element("Code")?.Value)
                && !string.IsNullOrEmpty(document.Element("RequestID")?.Value) => null,
            "Error" when status >= 400 && status != 500 && !string.IsNullOrEmpty(document.Element("Code")?.Value) => null,
            var name when status == 200 && name.EndsWith("Response", StringComparison.Ordinal) => null,
            var name => $"unexpected document <{name}> with status {status}",
        };
    }

    private Func<HttpRequestMessage> NextRequest(Random random, string instanceId)
    {
        var kind = random.Next(10);
        var body = kind switch
        {
            0 => RandomBytes(random),
            1 => Truncate(random, VocabularyBody(random, instanceId)),
            _ => VocabularyBody(random, instanceId),
        };
        var signing = random.Next(10);
        return () =>
        {
            var request = RequestSigner.Ec2Post(silo.BaseUri, "", ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
            request.Headers.Remove("Authorization");
            switch (signing)
            {
                case 0:
                    break; // unsigned
                case 1:
                    RequestSigner.Sign(request, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, DateTimeOffset.UtcNow, "us-east-1", "ec2");
                    var header = request.Headers.GetValues("Authorization").Single();
                    request.Headers.Remove("Authorization");
                    request.Headers.TryAddWithoutValidation("Authorization", Mutate(random, header));
                    break;
                case 2:
                    RequestSigner.Sign(request, body, ApiSiloFixture.AliceKey, "wrong-secret", DateTimeOffset.UtcNow, "us-east-1", "ec2");
                    break;
                case 3:
                    RequestSigner.Sign(request, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, DateTimeOffset.UtcNow, Pick(random, ["us-east-1", "nowhere-1", "", "eu-west-1"]), Pick(random, ["ec2", "s3", "iam", ""]));
                    request.Headers.Remove("X-Amz-Date");
                    request.Headers.TryAddWithoutValidation("X-Amz-Date", Pick(random, ["garbage", "20260101T000000Z", "", SigV4Now()]));
                    break;
                default:
                    RequestSigner.Sign(request, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, DateTimeOffset.UtcNow, "us-east-1", "ec2");
                    break;
            }

            return request;
        };
    }

    private Func<HttpRequestMessage> SignedRequest(string form)
    {
        var body = Encoding.UTF8.GetBytes(form);
        return () =>
        {
            var request = RequestSigner.Ec2Post(silo.BaseUri, "", ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
            request.Headers.Remove("Authorization");
            RequestSigner.Sign(request, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, DateTimeOffset.UtcNow, "us-east-1", "ec2");
            return request;
        };
    }

    private static string SigV4Now() => OrleansEc2.Api.Auth.SigV4.FormatAmzDate(DateTimeOffset.UtcNow);

    private static byte[] VocabularyBody(Random random, string instanceId)
    {
        var action = Pick(random, Actions);
        var parameters = new List<(string, string)> { ("Action", action), ("Version", random.Next(8) == 0 ? Pick(random, Values) : "2016-11-15") };
        var count = random.Next(6);
        for (var i = 0; i < count; i++)
        {
            var value = random.Next(6) == 0 ? instanceId : Pick(random, Values);
            parameters.Add((Pick(random, Names), value));
        }

        // Mutating actions always carry DryRun=true last, so a request that happens to be valid still changes nothing;
        // a repeated DryRun added above makes the request fail as a duplicate, which changes nothing either.
        if (!action.StartsWith("Describe", StringComparison.Ordinal))
        {
            parameters.Add(("DryRun", "true"));
        }

        return Encoding.UTF8.GetBytes(RequestSigner.Form([.. parameters]));
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 400)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Truncate(Random random, byte[] body) => body[..random.Next(0, body.Length + 1)];

    private static string Mutate(Random random, string text)
    {
        var chars = text.ToCharArray();
        var edits = random.Next(1, 4);
        for (var i = 0; i < edits && chars.Length > 0; i++)
        {
            chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
        }

        return random.Next(5) == 0 ? new string(chars)[..random.Next(chars.Length)] : new string(chars);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private async Task<string> SnapshotAsync()
    {
        var lines = new List<string>();
        foreach (var (key, secret) in new[] { (ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret), (ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret) })
        {
            using var ec2 = silo.Ec2(key, secret);
            var instances = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
            lines.AddRange((instances.Reservations ?? []).SelectMany(r => r.Instances).Select(i => $"{i.InstanceId} {i.State.Name}").Order());
            var keys = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest());
            lines.AddRange((keys.KeyPairs ?? []).Select(k => k.KeyPairId).Order());
            var tags = await ec2.DescribeTagsAsync(new DescribeTagsRequest());
            lines.AddRange((tags.Tags ?? []).Select(t => $"{t.ResourceId} {t.Key}={t.Value}").Order());
        }

        return string.Join('\n', lines);
    }
}
