using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3;
using OrleansEc2.Api.Tests.BundleTasks;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Api.Tests.Migrations;
using OrleansEc2.Api.Tests.S3;
namespace OrleansEc2.Api.Tests.Faults;

using CopyImageRequest = Amazon.EC2.Model.CopyImageRequest;
using RegisterImageRequest = Amazon.EC2.Model.RegisterImageRequest;

/// <summary>A silo of its own: the faults a test arms are the only ones its account has, and nobody else's requests fire them.</summary>
public sealed class FaultSiloFixture : ApiSiloFixture
{
    public AmazonEC2Client RetryingEc2(string accessKeyId = AliceKey, string secret = AliceSecret)
        => new(new BasicAWSCredentials(accessKeyId, secret), new AmazonEC2Config
        {
            ServiceURL = BaseUri.ToString().TrimEnd('/'),
            AuthenticationRegion = UsEast1,
            MaxErrorRetry = 2,
        });

    public AmazonS3Client RetryingS3()
        => new(new BasicAWSCredentials(AliceKey, AliceSecret), new AmazonS3Config
        {
            ServiceURL = BaseUri.ToString().TrimEnd('/'),
            ForcePathStyle = true,
            AuthenticationRegion = UsEast1,
            MaxErrorRetry = 2,
        });
}

[CollectionDefinition(Name)]
public sealed class FaultSiloCollection : ICollectionFixture<FaultSiloFixture>
{
    public const string Name = "fault-silo";
}

/// <summary><c>/_sim/faults</c>: injected failures of EC2 actions, S3 operations, bundle task phases and migration steps.</summary>
[Collection(FaultSiloCollection.Name)]
public sealed class FaultInjectionTests(FaultSiloFixture silo) : IAsyncLifetime
{
    private const string Alice = ApiSiloFixture.Alice;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // A failed assertion must not leave a fault armed for the next test.
        await SendAsync(HttpMethod.Delete, "_sim/faults");
        await SendAsync(HttpMethod.Delete, "_sim/faults", bob: true);
    }

    [Fact]
    public async Task Ec2Fault_WithoutRetries_SurfacesAsAmazonEC2Exception_WithItsCodeMessageAndStatus()
    {
        using var ec2 = silo.Alices();
        var armed = await ArmAsync(new { target = "ec2:DescribeInstances", code = "RequestLimitExceeded", message = "Request limit exceeded." });

        var call = () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest());
        var error = (await call.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var after = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest());

        armed.GetProperty("faultId").GetString().Should().MatchRegex("^fault-[0-9a-f]{8}$");
        armed.GetProperty("target").GetString().Should().Be("ec2:DescribeInstances");
        armed.GetProperty("count").GetInt32().Should().Be(1);
        armed.GetProperty("remaining").GetInt32().Should().Be(1);
        armed.GetProperty("status").GetInt32().Should().Be(503);
        error.ErrorCode.Should().Be("RequestLimitExceeded");
        error.Message.Should().Be("Request limit exceeded.");
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        after.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        (await ListAsync()).Should().BeEmpty();
        silo.Log.Entries.Select(e => e.Message).Should().Contain(l => l.Contains($"fired: request={error.RequestId} account={Alice} target=ec2:DescribeInstances", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ec2Fault_WithTheDefaults_IsRetriedThroughBySdkRetries_AndItsCountGoesDownToGone()
    {
        using var noRetries = silo.Alices();
        using var retrying = silo.RetryingEc2();
        var id = (await ArmAsync(new { target = "ec2:DescribeInstances", count = 2 })).GetProperty("faultId").GetString()!;

        var first = () => noRetries.DescribeInstancesAsync(new DescribeInstancesRequest());
        var error = (await first.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var left = await ListAsync();
        var retried = await retrying.DescribeInstancesAsync(new DescribeInstancesRequest());

        error.ErrorCode.Should().Be("Unavailable");
        error.Message.Should().Be("The server is overloaded and can't handle the request.");
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        left.Should().ContainSingle();
        left[0].GetProperty("faultId").GetString().Should().Be(id);
        left[0].GetProperty("remaining").GetInt32().Should().Be(1);
        retried.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        (await ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Ec2Fault_OnRunInstances_LaunchesNothing()
    {
        using var ec2 = silo.Alices();
        var before = await CountInstancesAsync(ec2);
        await ArmAsync(new { target = "ec2:RunInstances" });

        var run = () => Ec2Scenario.RunAsync(ec2);
        var error = (await run.Should().ThrowAsync<AmazonEC2Exception>()).Which;

        error.ErrorCode.Should().Be("Unavailable");
        (await CountInstancesAsync(ec2)).Should().Be(before);
        (await Ec2Scenario.RunAsync(ec2)).Should().ContainSingle();
    }

    [Fact]
    public async Task Faults_ArePerAccount_BobIsNotFaultedByAlicesFault_AndCannotSeeOrDeleteIt()
    {
        using var bobs = silo.Bobs();
        using var alices = silo.Alices();
        var id = (await ArmAsync(new { target = "ec2:DescribeInstances" })).GetProperty("faultId").GetString()!;

        var bobsCall = await bobs.DescribeInstancesAsync(new DescribeInstancesRequest());
        var bobsList = await ListAsync(bob: true);
        var bobsDelete = await SendAsync(HttpMethod.Delete, "_sim/faults/" + id, bob: true);
        var alicesList = await ListAsync();
        var alicesDelete = await SendAsync(HttpMethod.Delete, "_sim/faults/" + id);
        var alicesCall = await alices.DescribeInstancesAsync(new DescribeInstancesRequest());

        bobsCall.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        bobsList.Should().BeEmpty();
        bobsDelete.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ErrorOfAsync(bobsDelete)).Should().Be(("InvalidFaultID.NotFound", $"The fault ID '{id}' does not exist"));
        alicesList.Should().ContainSingle().Which.GetProperty("remaining").GetInt32().Should().Be(1);
        alicesDelete.StatusCode.Should().Be(HttpStatusCode.OK);
        alicesCall.HttpStatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteAll_DisarmsEveryFaultOfTheAccount()
    {
        await ArmAsync(new { target = "ec2:DescribeImages", count = 3 });
        await ArmAsync(new { target = "s3:GetObject" });

        var deleted = await SendAsync(HttpMethod.Delete, "_sim/faults");

        deleted.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await deleted.Content.ReadAsStringAsync()).RootElement.GetProperty("deleted").GetInt32().Should().Be(2);
        (await ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task S3PutObjectFault_OnItsBucket_AnswersSlowDown503_StoresNothing_ThenARetryingClientStoresTheBytes()
    {
        using var s3 = silo.Alices3();
        using var retrying = silo.RetryingS3();
        var faulted = await S3TestKit.CreateBucketAsync(s3, "faulted");
        var other = await S3TestKit.CreateBucketAsync(s3, "other");
        var content = S3TestKit.Bytes(300 * 1024, seed: 7);
        await ArmAsync(new { target = "s3:PutObject", bucket = faulted, count = 2 });

        await S3TestKit.PutAsync(s3, other, "data.bin", content);
        var error = await S3TestKit.FailsAsync(() => S3TestKit.PutAsync(s3, faulted, "data.bin", content));
        var storedAfterFault = await S3TestKit.ExistsAsync(s3, faulted, "data.bin");
        var remaining = (await ListAsync()).Single().GetProperty("remaining").GetInt32();
        await S3TestKit.PutAsync(retrying, faulted, "data.bin", content);

        error.ErrorCode.Should().Be("SlowDown");
        error.Message.Should().Be("Please reduce your request rate.");
        error.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        storedAfterFault.Should().BeFalse();
        remaining.Should().Be(1);
        (await S3TestKit.ReadAllAsync(s3, faulted, "data.bin")).Should().Equal(content);
        (await S3TestKit.ReadAllAsync(s3, other, "data.bin")).Should().Equal(content);
        (await ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task S3PutObjectFault_OnARequestWithoutExpectContinue_ReadsTheBodyAndKeepsTheConnectionForTheRetry()
    {
        using var s3 = silo.Alices3();
        var bucket = await S3TestKit.CreateBucketAsync(s3, "drained");
        var content = S3TestKit.Bytes(200 * 1024, seed: 11);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1 };
        using var http = new HttpClient(handler);
        await ArmAsync(new { target = "s3:PutObject", bucket });

        Task<HttpResponseMessage> PutAsync() => http.PutAsync(
            S3RawRequest.Presign(new Uri(silo.BaseUri, $"{bucket}/raw.bin"), "PUT", DateTimeOffset.UtcNow, expiresSeconds: 300),
            new ByteArrayContent(content));
        using var faulted = await PutAsync();
        var error = await S3TestKit.ErrorOfAsync(faulted);
        using var retried = await PutAsync();

        faulted.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        faulted.Headers.ConnectionClose.Should().NotBe(true, "the body was read, so the connection serves the retry");
        (error.Code, error.Message).Should().Be(("SlowDown", "Please reduce your request rate."));
        retried.StatusCode.Should().Be(HttpStatusCode.OK);
        (await S3TestKit.ReadAllAsync(s3, bucket, "raw.bin")).Should().Equal(content);
    }

    [Fact]
    public async Task S3Fault_OnPostObject_FiresForTheFormsSigner_ThenTheRetryStores()
    {
        using var s3 = silo.Alices3();
        using var http = new HttpClient();
        var bucket = await S3TestKit.CreateBucketAsync(s3, "posted");
        var policy = OrleansEc2.Client.UploadPolicies.Build(bucket, "img", silo.Time.GetUtcNow().AddHours(1));
        var content = S3TestKit.Bytes(50_000, seed: 12);
        await ArmAsync(new { target = "s3:PostObject", bucket, keyPrefix = "img.part" });

        using var faulted = await PostForm.UploadPolicy(policy, "img.part.00", content).PostAsync(http, silo.BaseUri, bucket);
        var error = await S3TestKit.ErrorOfAsync(faulted);
        var storedAfterFault = await S3TestKit.ExistsAsync(s3, bucket, "img.part.00");
        using var retried = await PostForm.UploadPolicy(policy, "img.part.00", content).PostAsync(http, silo.BaseUri, bucket);

        faulted.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (error.Code, error.Message).Should().Be(("SlowDown", "Please reduce your request rate."));
        storedAfterFault.Should().BeFalse();
        retried.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await S3TestKit.ReadAllAsync(s3, bucket, "img.part.00")).Should().Equal(content);
    }

    [Fact]
    public async Task S3Fault_WithAKeyPrefix_FiresOnlyForKeysUnderIt()
    {
        using var s3 = silo.Alices3();
        var bucket = await S3TestKit.CreateBucketAsync(s3, "prefixed");
        await S3TestKit.PutAsync(s3, bucket, "logs/a.txt", Encoding.UTF8.GetBytes("a"));
        await S3TestKit.PutAsync(s3, bucket, "data/b.txt", Encoding.UTF8.GetBytes("b"));
        await ArmAsync(new { target = "s3:GetObject", keyPrefix = "logs/", code = "InternalError", message = "We encountered an internal error. Please try again." });

        var other = await S3TestKit.ReadAllAsync(s3, bucket, "data/b.txt");
        var error = await S3TestKit.FailsAsync(() => S3TestKit.ReadAllAsync(s3, bucket, "logs/a.txt"));

        other.Should().Equal(Encoding.UTF8.GetBytes("b"));
        error.ErrorCode.Should().Be("InternalError");
        error.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await ListAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData("{\"target\":\"ec2:LaunchRocket\"}", "InvalidParameterValue", "Unknown fault target 'ec2:LaunchRocket': LaunchRocket is not an EC2 action of this simulator (they are case-sensitive: ec2:RunInstances).")]
    [InlineData("{\"target\":\"sqs:SendMessage\"}", "InvalidParameterValue", "Unknown fault target 'sqs:SendMessage': a target is ec2:<Action>, s3:<Operation>, bundle-task:<waiting-for-shutdown|bundling|storing> or migration:<copying-parts|writing-manifest>.")]
    [InlineData("{\"target\":\"bundle-task:pending\"}", "InvalidParameterValue", "Unknown fault target 'bundle-task:pending': the bundle task phase is one of waiting-for-shutdown, bundling, storing.")]
    [InlineData("{\"target\":\"ec2:RunInstances\",\"count\":0}", "InvalidParameterValue", "count must be at least 1 (how many times the fault fires), not 0.")]
    [InlineData("{\"target\":\"ec2:RunInstances\",\"count\":\"two\"}", "InvalidParameterValue", "The parameter count must be an integer, not \"two\".")]
    [InlineData("{\"target\":\"ec2:RunInstances\",\"status\":200}", "InvalidParameterValue", "status must be an HTTP error status from 400 to 599, not 200.")]
    [InlineData("{\"target\":\"ec2:RunInstances\",\"bucket\":\"b\"}", "InvalidParameterValue", "bucket and keyPrefix filter s3: targets only, not ec2:RunInstances.")]
    [InlineData("{\"target\":\"migration:copying-parts\",\"status\":500}", "InvalidParameterValue", "status applies to ec2: and s3: targets only: migration:copying-parts fails a task, not a request.")]
    [InlineData("{\"target\":\"ec2:RunInstances\",\"code\":\"<bad>\"}", "InvalidParameterValue", "code must be an error code (letters, digits and dots, starting with a letter, at most 128 characters), not '<bad>'.")]
    [InlineData("{\"target\":\"ec2:RunInstances\",\"times\":2}", "UnknownParameter", "The parameter times is not recognized.")]
    [InlineData("{\"count\":2}", "MissingParameter", "The request must contain the parameter target.")]
    [InlineData("[1,2]", "InvalidRequest", "The request body must be a JSON object: { target, count, code, message, status, bucket, keyPrefix }.")]
    public async Task Post_WithBadInput_Answers400WithTheCodeAndMessage(string body, string code, string message)
    {
        var response = await SendAsync(HttpMethod.Post, "_sim/faults", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Should().Be((code, message));
        (await ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Post_WithBodyThatIsNotJson_Answers400InvalidRequest()
    {
        var response = await SendAsync(HttpMethod.Post, "_sim/faults", "{target: ec2");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidRequest");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
    }

    [Fact]
    public async Task FaultIds_Malformed_AndMethodsNotAllowed_AreRefused()
    {
        var malformed = await SendAsync(HttpMethod.Delete, "_sim/faults/abc");
        var put = await SendAsync(HttpMethod.Put, "_sim/faults", "{}");

        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(malformed)).Should().Be(("InvalidFaultID.Malformed", "Invalid id: \"abc\" (expecting \"fault-...\")"));
        put.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await ErrorOfAsync(put)).Code.Should().Be("MethodNotAllowed");
    }

    [Fact]
    public async Task BundleTaskFault_InStoring_FailsTheTaskWithTheInjectedError_LeavesNoObject_RestartsTheInstance_AndTheNextTaskCompletes()
    {
        using var ec2 = silo.Alices();
        var instanceId = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var bucket = Ec2Scenario.UniqueName("faulted-bundles");
        await ArmAsync(new { target = "bundle-task:storing", code = "Server.InsufficientStorage", message = "The bundle could not be stored." });

        var faulted = await BundleAsync(ec2, instanceId, bucket, "first");
        var listing = await silo.Grains.GetGrain<IBucketGrain>(bucket).ListObjectsAsync(Alice, new ListObjectsQuery("first", null, 1000, null));
        var instance = await Ec2Scenario.DescribeAsync(ec2, instanceId);
        var remaining = await ListAsync();
        var next = await BundleAsync(ec2, instanceId, bucket, "second");

        faulted.State.Value.Should().Be("failed");
        faulted.BundleTaskError.Code.Should().Be("Server.InsufficientStorage");
        faulted.BundleTaskError.Message.Should().Be("The bundle could not be stored.");
        listing.Objects.Should().BeEmpty();
        instance.State.Name.Value.Should().Be("running");
        remaining.Should().BeEmpty();
        next.State.Value.Should().Be("complete");
        next.BundleTaskError.Should().BeNull();
        silo.Log.Entries.Select(e => e.Message).Should().Contain(l => l.Contains($"fired: request={faulted.BundleId} account={Alice} target=bundle-task:storing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrationFault_InCopyingParts_FailsTheCopyImage_WithTheDefaultError()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 91);
        using var us = silo.Alices();
        var source = await us.RegisterImageAsync(new RegisterImageRequest { ImageLocation = $"{bundle.Bucket}/{bundle.ManifestKey}", Name = Ec2Scenario.UniqueName("original") });
        using var eu = silo.Ec2(region: "eu-west-1");
        await ArmAsync(new { target = "migration:copying-parts" });

        var copy = await eu.CopyImageAsync(new CopyImageRequest { SourceRegion = ApiSiloFixture.UsEast1, SourceImageId = source.ImageId, Name = Ec2Scenario.UniqueName("copy") });
        // The image shows failed a moment before its migration has finished its tidy-up: wait for the migration.
        var migration = await UntilAsync(
            () => silo.Grains.GetGrain<IMigrationGrain>(CopyImageIds.MigrationIdOf(copy.ImageId)).DescribeAsync(Alice),
            m => m.State.IsFinished());
        var failed = await eu.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [copy.ImageId] });

        failed.Images.Single().State.Value.Should().Be("failed");
        failed.Images.Single().StateReason.Code.Should().Be("Server.InternalError");
        failed.Images.Single().StateReason.Message.Should().Be("Server.InternalError: Injected fault in copying-parts");
        migration.State.Should().Be(MigrationState.Failed);
        migration.Error.Should().Be(new MigrationError("Server.InternalError", "Injected fault in copying-parts"));
        migration.PartsCopied.Should().Be(0);
        (await ListAsync()).Should().BeEmpty();
    }

    private async Task<BundleTask> BundleAsync(AmazonEC2Client ec2, string instanceId, string bucket, string prefix)
    {
        var started = (await ec2.BundleInstanceAsync(CliUploadPolicy.Request(instanceId, bucket, prefix, silo.Time.GetUtcNow(), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret))).BundleTask;
        var finished = await UntilAsync(
            () => ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = [started.BundleId] }),
            r => r.BundleTasks.Single().State.Value is "complete" or "failed");
        return finished.BundleTasks.Single();
    }

    private static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            watch.Elapsed.Should().BeLessThan(Patience, "the work should finish");
            await Task.Delay(10);
        }
    }

    private static async Task<int> CountInstancesAsync(AmazonEC2Client ec2)
        => (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest())).Reservations?.Sum(r => r.Instances.Count) ?? 0;

    private async Task<JsonElement> ArmAsync(object fault)
    {
        var response = await SendAsync(HttpMethod.Post, "_sim/faults", JsonSerializer.Serialize(fault));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        var armed = JsonDocument.Parse(text).RootElement.Clone();
        response.Headers.Location!.ToString().Should().Be("/_sim/faults/" + armed.GetProperty("faultId").GetString());
        return armed;
    }

    private async Task<List<JsonElement>> ListAsync(bool bob = false)
    {
        var response = await SendAsync(HttpMethod.Get, "_sim/faults", bob: bob);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("faults").Clone().EnumerateArray()];
    }

    private static async Task<(string Code, string Message)> ErrorOfAsync(HttpResponseMessage response)
    {
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, bool bob = false)
        => silo.Http.SendAsync(RequestSigner.Signed(
            method,
            new Uri(silo.BaseUri, path),
            body is null ? [] : Encoding.UTF8.GetBytes(body),
            bob ? ApiSiloFixture.BobKey : ApiSiloFixture.AliceKey,
            bob ? ApiSiloFixture.BobSecret : ApiSiloFixture.AliceSecret));
}
