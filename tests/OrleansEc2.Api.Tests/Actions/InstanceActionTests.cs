using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace OrleansEc2.Api.Tests.Actions;

[Collection(ApiSiloCollection.Name)]
public sealed class InstanceActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task RunInstances_TwoWindowsInstances_AnswersTheReservationAsEc2Does()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);

        var response = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest
        {
            ImageId = imageId,
            MinCount = 2,
            MaxCount = 2,
            InstanceType = "m1.large",
            Placement = new Placement { AvailabilityZone = "us-east-1b" },
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Ec2Tag("Name", "web")] }],
        });

        var reservation = response.Reservation;
        reservation.ReservationId.Should().StartWith("r-");
        reservation.OwnerId.Should().Be(ApiSiloFixture.Alice);
        reservation.Instances.Should().HaveCount(2);
        reservation.Instances.Select(i => i.AmiLaunchIndex).Should().BeEquivalentTo([0, 1]);
        reservation.Instances.Should().AllSatisfy(i =>
        {
            i.InstanceId.Should().MatchRegex("^i-[0-9a-f]{17}$");
            i.ImageId.Should().Be(imageId);
            i.InstanceType.Value.Should().Be("m1.large");
            i.Placement.AvailabilityZone.Should().Be("us-east-1b");
            i.Platform.Value.Should().BeEquivalentTo("windows");
            i.Architecture.Value.Should().Be("i386");
            i.State.Code.Should().BeOneOf(0, 16);
            i.Tags.Should().ContainSingle().Which.Should().BeEquivalentTo(new Ec2Tag("Name", "web"));
            i.LaunchTime.Should().Be(silo.Time.GetUtcNow().UtcDateTime);
        });
    }

    [Fact]
    public async Task RunInstances_SameClientToken_ReturnsTheFirstReservation()
    {
        using var ec2 = silo.Alices();
        var request = new Amazon.EC2.Model.RunInstancesRequest
        {
            ImageId = await Ec2Scenario.ImageIdAsync(ec2),
            MinCount = 1,
            MaxCount = 1,
            ClientToken = Ec2Scenario.UniqueName("token"),
        };

        var first = await ec2.RunInstancesAsync(request);
        var second = await ec2.RunInstancesAsync(request);

        second.Reservation.ReservationId.Should().Be(first.Reservation.ReservationId);
        second.Reservation.Instances.Select(i => i.InstanceId).Should().Equal(first.Reservation.Instances.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task RunInstances_SameClientTokenOtherArguments_FailsWithIdempotentParameterMismatch()
    {
        using var ec2 = silo.Alices();
        var token = Ec2Scenario.UniqueName("token");
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);
        await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, ClientToken = token });

        var act = () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 2, MaxCount = 2, ClientToken = token });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("IdempotentParameterMismatch");
    }

    [Theory]
    [InlineData("ami-ffffffffffffffff0", "InvalidAMIID.NotFound")]
    [InlineData("ami-nothex", "InvalidAMIID.Malformed")]
    public async Task RunInstances_BadImage_FailsWithTheImageError(string imageId, string code)
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1 });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be(code);
    }

    [Fact]
    public async Task RunInstances_BadArguments_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);

        async Task<string> Code(Amazon.EC2.Model.RunInstancesRequest request)
        {
            var act = () => ec2.RunInstancesAsync(request);
            return (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode;
        }

        (await Code(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 3, MaxCount = 2 })).Should().Be("InvalidParameterValue");
        (await Code(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 0, MaxCount = 1 })).Should().Be("InvalidParameterValue");
        (await Code(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, InstanceType = "huge" })).Should().Be("InvalidParameterValue");
        (await Code(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, KeyName = "no-such-key" })).Should().Be("InvalidKeyPair.NotFound");
        (await Code(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, Placement = new Placement { AvailabilityZone = "eu-west-1a" } })).Should().Be("InvalidParameterValue");
        (await Code(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1 })).Should().Be("MissingParameter");
        (await Code(new Amazon.EC2.Model.RunInstancesRequest
        {
            ImageId = imageId,
            MinCount = 1,
            MaxCount = 1,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Volume, Tags = [new Ec2Tag("a", "b")] }],
        })).Should().Be("InvalidParameterValue");
    }

    [Fact]
    public async Task DescribeInstances_ById_ShowsEveryDocumentedField()
    {
        using var ec2 = silo.Alices();
        var keyName = Ec2Scenario.UniqueName("key");
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = keyName });
        var launched = (await Ec2Scenario.RunAsync(ec2, keyName: keyName)).Single();

        var instance = await Ec2Scenario.DescribeAsync(ec2, launched.InstanceId);

        instance.State.Name.Value.Should().Be("running");
        instance.State.Code.Should().Be(16);
        instance.KeyName.Should().Be(keyName);
        instance.PrivateIpAddress.Should().MatchRegex(@"^10\.\d+\.\d+\.\d+$");
        instance.PrivateDnsName.Should().NotBeNullOrEmpty();
        instance.RootDeviceType.Value.Should().Be("instance-store");
        instance.Placement.AvailabilityZone.Should().StartWith("us-east-1");
        instance.LaunchTime.Should().Be(launched.LaunchTime);
    }

    [Fact]
    public async Task DescribeInstances_Filters_SelectByTagStateTypeAndMore()
    {
        using var ec2 = silo.Alices();
        var marker = Ec2Scenario.UniqueName("f");
        var web = (await Ec2Scenario.RunAsync(ec2, 2, tags: [new Ec2Tag("Role", "web"), new Ec2Tag("Marker", marker)])).Select(i => i.InstanceId).ToList();
        var db = (await Ec2Scenario.RunAsync(ec2, 1, imageName: Ec2Scenario.LinuxImageName, tags: [new Ec2Tag("Role", "db"), new Ec2Tag("Marker", marker)])).Select(i => i.InstanceId).ToList();
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [web[0]] });

        async Task<List<string>> Ids(params Filter[] filters)
        {
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker]), .. filters] });
            return [.. (response.Reservations ?? []).SelectMany(r => r.Instances).Select(i => i.InstanceId).Order()];
        }

        (await Ids()).Should().BeEquivalentTo([.. web, .. db]);
        (await Ids(new Filter("tag:Role", ["web"]))).Should().BeEquivalentTo(web);
        (await Ids(new Filter("tag-key", ["Role"]))).Should().HaveCount(3);
        (await Ids(new Filter("tag-value", ["d?"]))).Should().BeEquivalentTo(db);
        (await Ids(new Filter("instance-state-name", ["stopped"]))).Should().BeEquivalentTo([web[0]]);
        (await Ids(new Filter("instance-state-code", ["16"]))).Should().BeEquivalentTo([web[1], db[0]]);
        (await Ids(new Filter("platform", ["windows"]))).Should().BeEquivalentTo(web);
        (await Ids(new Filter("instance-id", [db[0]]))).Should().BeEquivalentTo(db);
        (await Ids(new Filter("instance-type", ["m1.small"]))).Should().HaveCount(3);
        (await Ids(new Filter("image-id", [await Ec2Scenario.ImageIdAsync(ec2, Ec2Scenario.LinuxImageName)]))).Should().BeEquivalentTo(db);
        (await Ids(new Filter("availability-zone", ["us-east-1*"]))).Should().HaveCount(3);
        var dbInstance = await Ec2Scenario.DescribeAsync(ec2, db[0]);
        (await Ids(new Filter("private-ip-address", [dbInstance.PrivateIpAddress]))).Should().BeEquivalentTo(db);
        (await Ids(new Filter("private-dns-name", [dbInstance.PrivateDnsName]))).Should().BeEquivalentTo(db);
        var reservations = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [web[1]] });
        (await Ids(new Filter("reservation-id", [reservations.Reservations[0].ReservationId]))).Should().BeEquivalentTo(web);
        (await Ids(new Filter("key-name", ["nobody"]))).Should().BeEmpty();
    }

    [Fact]
    public async Task DescribeInstances_MaxResults_PagesWithNextToken()
    {
        using var ec2 = silo.Alices();
        var marker = Ec2Scenario.UniqueName("page");
        var launched = (await Ec2Scenario.RunAsync(ec2, 7, tags: [new Ec2Tag("Marker", marker)])).Select(i => i.InstanceId).ToHashSet();
        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker])], MaxResults = 5, NextToken = token });
            seen.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances).Select(i => i.InstanceId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        pages.Should().Be(2);
        seen.Should().BeEquivalentTo(launched);
    }

    [Fact]
    public async Task DescribeInstances_BadArguments_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        async Task<string> Code(DescribeInstancesRequest request)
        {
            var act = () => ec2.DescribeInstancesAsync(request);
            return (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode;
        }

        (await Code(new DescribeInstancesRequest { InstanceIds = [id], MaxResults = 5 })).Should().Be("InvalidParameterCombination");
        (await Code(new DescribeInstancesRequest { MaxResults = 4 })).Should().Be("InvalidParameterValue");
        (await Code(new DescribeInstancesRequest { MaxResults = 1001 })).Should().Be("InvalidParameterValue");
        (await Code(new DescribeInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] })).Should().Be("InvalidInstanceID.NotFound");
        (await Code(new DescribeInstancesRequest { InstanceIds = ["i-xyz"] })).Should().Be("InvalidInstanceID.Malformed");
        (await Code(new DescribeInstancesRequest { Filters = [new Filter("favourite-colour", ["red"])] })).Should().Be("InvalidParameterValue");
        (await Code(new DescribeInstancesRequest { MaxResults = 5, NextToken = "not-a-token" })).Should().BeOneOf("InvalidParameterValue", "InvalidPaginationToken");
    }

    [Fact]
    public async Task StopStartTerminate_Lifecycle_ReportsEachMove()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        var stop = await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id], Force = true });
        var stopped = await Ec2Scenario.DescribeAsync(ec2, id);
        var start = await ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] });
        var reboot = await ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id] });
        var terminate = await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] });
        var terminated = await Ec2Scenario.DescribeAsync(ec2, id);

        stop.StoppingInstances.Single().Should().BeEquivalentTo(new { InstanceId = id, PreviousState = new { Code = 16 }, CurrentState = new { Code = 64 } });
        stopped.State.Name.Value.Should().Be("stopped");
        stopped.StateReason.Code.Should().Be("Client.UserInitiatedShutdown");
        start.StartingInstances.Single().PreviousState.Name.Value.Should().Be("stopped");
        start.StartingInstances.Single().CurrentState.Name.Value.Should().Be("pending");
        reboot.HttpStatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        terminate.TerminatingInstances.Single().CurrentState.Name.Value.Should().Be("shutting-down");
        terminated.State.Name.Value.Should().Be("terminated");
    }

    [Fact]
    public async Task StartInstances_OneTerminatedAmongOthers_ChangesNone()
    {
        using var ec2 = silo.Alices();
        var ids = (await Ec2Scenario.RunAsync(ec2, 2)).Select(i => i.InstanceId).ToList();
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [ids[0]] });
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [ids[1]] });

        var act = () => ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [ids[0], ids[1]] });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("IncorrectInstanceState");
        (await Ec2Scenario.DescribeAsync(ec2, ids[0])).State.Name.Value.Should().Be("stopped");
    }

    [Fact]
    public async Task StopInstances_OneMissingAmongOthers_ChangesNone()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        var act = () => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id, "i-0123456789abcdef0"] });

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
        error.Message.Should().Contain("i-0123456789abcdef0");
        (await Ec2Scenario.DescribeAsync(ec2, id)).State.Name.Value.Should().Be("running");
    }

    [Fact]
    public async Task StateChanges_BadIds_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });

        var malformed = () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = ["instance-1"] });
        var missing = () => ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] });
        var rebootStopped = () => ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id] });
        var none = () => ec2.StartInstancesAsync(new StartInstancesRequest());

        (await malformed.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.Malformed");
        (await missing.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
        (await rebootStopped.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("IncorrectInstanceState");
        (await none.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("MissingParameter");
    }

    [Fact]
    public async Task DescribeInstanceStatus_RunningByDefault_AllWithIncludeAllInstances()
    {
        using var ec2 = silo.Alices();
        var ids = (await Ec2Scenario.RunAsync(ec2, 2)).Select(i => i.InstanceId).ToList();
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [ids[1]] });

        var running = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = ids });
        var all = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = ids, IncludeAllInstances = true });
        var filtered = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest
        {
            InstanceIds = ids,
            IncludeAllInstances = true,
            Filters = [new Filter("instance-state-name", ["stopped"])],
        });

        var status = running.InstanceStatuses.Single();
        status.InstanceId.Should().Be(ids[0]);
        status.InstanceState.Name.Value.Should().Be("running");
        status.SystemStatus.Status.Value.Should().Be("ok");
        status.Status.Details.Single().Status.Value.Should().Be("passed");
        all.InstanceStatuses.Select(s => s.InstanceId).Should().BeEquivalentTo(ids);
        filtered.InstanceStatuses.Single().Status.Status.Value.Should().Be("not-applicable");
    }

    [Fact]
    public async Task GetPasswordData_WindowsInstanceWithKey_DecryptsWithThePrivateKey()
    {
        using var ec2 = silo.Alices();
        var key = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = Ec2Scenario.UniqueName("win") });
        var id = (await Ec2Scenario.RunAsync(ec2, keyName: key.KeyPair.KeyName)).Single().InstanceId;

        var data = await ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = id });

        data.InstanceId.Should().Be(id);
        data.PasswordData.Should().NotBeNullOrEmpty();
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key.KeyPair.KeyMaterial);
        var password = Encoding.UTF8.GetString(rsa.Decrypt(Convert.FromBase64String(data.PasswordData), RSAEncryptionPadding.Pkcs1));
        password.Should().NotBeEmpty();
    }

    [Fact]
    public async Task GetPasswordData_BadIds_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();

        var malformed = () => ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = "i-bad" });
        var missing = () => ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = "i-0123456789abcdef0" });

        (await malformed.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.Malformed");
        (await missing.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
    }
}
