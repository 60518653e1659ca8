using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace OrleansEc2.Api.Tests.Actions;

/// <summary>
/// RunInstances' launch options as the SDK sends them (security groups, user data, kernel and RAM disk, monitoring,
/// EBS optimization, termination protection, shutdown behavior) and Describe/ModifyInstanceAttribute.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class InstanceLaunchOptionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task RunInstances_InTheDefaultGroupByName_ShowsTheGroupOnTheReservationAndTheInstance()
    {
        using var ec2 = silo.Alices();
        var defaultGroup = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single();

        var response = await ec2.RunInstancesAsync(Request(await Ec2Scenario.ImageIdAsync(ec2), r => r.SecurityGroups = ["default"]));

        var launched = response.Reservation.Instances.Single();
        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [launched.InstanceId] });
        defaultGroup.GroupId.Should().MatchRegex("^sg-[0-9a-f]{17}$");
        response.Reservation.Groups.Should().BeEquivalentTo([new { GroupId = defaultGroup.GroupId, GroupName = "default" }]);
        launched.SecurityGroups.Should().BeEquivalentTo([new { GroupId = defaultGroup.GroupId, GroupName = "default" }]);
        described.Reservations.Single().Groups.Should().BeEquivalentTo([new { GroupId = defaultGroup.GroupId, GroupName = "default" }]);
        described.Reservations.Single().Instances.Single().SecurityGroups.Should().BeEquivalentTo([new { GroupId = defaultGroup.GroupId, GroupName = "default" }]);
    }

    [Fact]
    public async Task RunInstances_WithoutGroups_IsInTheDefaultGroup_AndByIdTheSameGroupOnce()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);
        var groupId = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single().GroupId;

        var plain = await ec2.RunInstancesAsync(Request(imageId));
        var both = await ec2.RunInstancesAsync(Request(imageId, r =>
        {
            r.SecurityGroupIds = [groupId];
            r.SecurityGroups = ["default"];
        }));

        plain.Reservation.Groups.Should().BeEquivalentTo([new { GroupId = groupId, GroupName = "default" }]);
        both.Reservation.Groups.Should().BeEquivalentTo([new { GroupId = groupId, GroupName = "default" }]);
        both.Reservation.Instances.Single().SecurityGroups.Should().BeEquivalentTo([new { GroupId = groupId, GroupName = "default" }]);
    }

    [Theory]
    [InlineData("web", null, "InvalidGroup.NotFound", "The security group 'web' does not exist")]
    [InlineData(null, "sg-0123456789abcdef0", "InvalidGroup.NotFound", "The security group 'sg-0123456789abcdef0' does not exist")]
    [InlineData(null, "web", "InvalidGroupId.Malformed", "Invalid id: \"web\" (expecting \"sg-...\")")]
    [InlineData(null, "sg-XYZ", "InvalidGroupId.Malformed", "Invalid id: \"sg-XYZ\" (expecting \"sg-...\")")]
    public async Task RunInstances_InAGroupThatIsNotTheCallers_FailsAndLaunchesNothing(string? name, string? id, string code, string message)
    {
        using var ec2 = silo.Alices();
        var marker = Ec2Scenario.UniqueName("group");
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);

        var act = () => ec2.RunInstancesAsync(Request(imageId, r =>
        {
            r.SecurityGroups = name is null ? null : [name];
            r.SecurityGroupIds = id is null ? null : [id];
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Ec2Tag("Marker", marker)] }];
        }));

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be(code);
        error.Message.Should().Be(message);
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker])] })).Reservations.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task RunInstances_InAnotherAccountsDefaultGroup_FailsWithInvalidGroupNotFound()
    {
        using var ec2 = silo.Alices();
        using var bobs = silo.Bobs();
        var bobsGroup = (await bobs.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);

        var act = () => ec2.RunInstancesAsync(Request(imageId, r => r.SecurityGroupIds = [bobsGroup.GroupId]));

        bobsGroup.OwnerId.Should().Be(ApiSiloFixture.Bob);
        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidGroup.NotFound");
    }

    [Fact]
    public async Task UserData_RoundTripsThroughDescribeInstanceAttribute_AndChangesOnlyWhileStopped()
    {
        using var ec2 = silo.Alices();
        var script = "<script>echo hello > C:\\hello.txt</script>";
        var id = (await ec2.RunInstancesAsync(Request(await Ec2Scenario.ImageIdAsync(ec2), r => r.UserData = Base64(script)))).Reservation.Instances.Single().InstanceId;

        var launched = await UserDataAsync(ec2, id);
        var whileRunning = () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, UserData = new SecureBlobAttributeValue { Value = new MemoryStream(Encoding.UTF8.GetBytes("changed")) } });
        var runningError = (await whileRunning.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, UserData = new SecureBlobAttributeValue { Value = new MemoryStream(Encoding.UTF8.GetBytes("changed")) } });
        var changed = await UserDataAsync(ec2, id);
        var guest = await SimAsync(HttpMethod.Get, $"_sim/instances/{id}/user-data");

        launched.Should().Be(Base64(script));
        runningError.ErrorCode.Should().Be("IncorrectInstanceState");
        runningError.Message.Should().Be($"The instance '{id}' is not in the 'stopped' state: its userData can only be changed while it is stopped (it is running).");
        changed.Should().Be(Base64("changed"));
        guest.StatusCode.Should().Be(HttpStatusCode.OK);
        (await guest.Content.ReadAsStringAsync()).Should().Be("changed");
    }

    [Fact]
    public async Task UserData_NoneGiven_DescribesAsNoValue()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        var attribute = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.UserData });

        attribute.InstanceAttribute.InstanceId.Should().Be(id);
        attribute.InstanceAttribute.UserData.Should().BeNull();
    }

    [Fact]
    public async Task RunInstances_UserDataNotBase64OrOver16KiB_FailsWithInvalidParameterValue()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);

        var notBase64 = () => ec2.RunInstancesAsync(Request(imageId, r => r.UserData = "not base64!"));
        var tooLarge = () => ec2.RunInstancesAsync(Request(imageId, r => r.UserData = Convert.ToBase64String(new byte[(16 * 1024) + 1])));

        var notBase64Error = (await notBase64.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        notBase64Error.ErrorCode.Should().Be("InvalidParameterValue");
        notBase64Error.Message.Should().Be("Invalid BASE64 encoding of user data.");
        var tooLargeError = (await tooLarge.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        tooLargeError.ErrorCode.Should().Be("InvalidParameterValue");
        tooLargeError.Message.Should().Be("User data is limited to 16384 bytes (this is 16385).");
    }

    [Fact]
    public async Task DisableApiTermination_RefusesTerminateInstances_UntilModified()
    {
        using var ec2 = silo.Alices();
        var ids = (await ec2.RunInstancesAsync(Request(await Ec2Scenario.ImageIdAsync(ec2), r =>
        {
            r.MinCount = 2;
            r.MaxCount = 2;
            r.DisableApiTermination = true;
        }))).Reservation.Instances.Select(i => i.InstanceId).ToList();

        var protectedAttribute = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = ids[0], Attribute = InstanceAttributeName.DisableApiTermination });
        var refused = () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [ids[0]] });
        var refusedError = (await refused.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var stillRunning = await Ec2Scenario.DescribeAsync(ec2, ids[0]);
        await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = ids[0], DisableApiTermination = false });
        var unprotectedAttribute = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = ids[0], Attribute = InstanceAttributeName.DisableApiTermination });
        var bothRefused = () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [ids[0], ids[1]] });
        var bothError = (await bothRefused.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var firstAfterRefusal = await Ec2Scenario.DescribeAsync(ec2, ids[0]);
        var terminate = await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [ids[0]] });

        protectedAttribute.InstanceAttribute.DisableApiTermination.Should().BeTrue();
        refusedError.ErrorCode.Should().Be("OperationNotPermitted");
        refusedError.Message.Should().Be($"The instance '{ids[0]}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        stillRunning.State.Name.Value.Should().Be("running");
        unprotectedAttribute.InstanceAttribute.DisableApiTermination.Should().BeFalse();
        bothError.ErrorCode.Should().Be("OperationNotPermitted");
        bothError.Message.Should().Be($"The instance '{ids[1]}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        firstAfterRefusal.State.Name.Value.Should().Be("running", "a refused request changes none of its instances");
        terminate.TerminatingInstances.Single().Should().BeEquivalentTo(new { InstanceId = ids[0], PreviousState = new { Code = 16 }, CurrentState = new { Code = 32 } });
    }

    [Fact]
    public async Task InstanceInitiatedShutdown_StopByDefault_TerminateWhenAsked_WithTheInstanceInitiatedReason()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);
        var stopper = (await ec2.RunInstancesAsync(Request(imageId))).Reservation.Instances.Single().InstanceId;
        var terminator = (await ec2.RunInstancesAsync(Request(imageId, r => r.InstanceInitiatedShutdownBehavior = Amazon.EC2.ShutdownBehavior.Terminate))).Reservation.Instances.Single().InstanceId;

        var stopperBehavior = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = stopper, Attribute = InstanceAttributeName.InstanceInitiatedShutdownBehavior });
        var terminatorBehavior = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = terminator, Attribute = InstanceAttributeName.InstanceInitiatedShutdownBehavior });
        var stopped = await SimAsync(HttpMethod.Post, $"_sim/instances/{stopper}/shutdown");
        var terminated = await SimAsync(HttpMethod.Post, $"_sim/instances/{terminator}/shutdown");
        var again = await SimAsync(HttpMethod.Post, $"_sim/instances/{stopper}/shutdown");
        var stoppedInstance = await Ec2Scenario.DescribeAsync(ec2, stopper);
        var terminatedInstance = await Ec2Scenario.DescribeAsync(ec2, terminator);

        stopperBehavior.InstanceAttribute.InstanceInitiatedShutdownBehavior.Should().Be("stop");
        terminatorBehavior.InstanceAttribute.InstanceInitiatedShutdownBehavior.Should().Be("terminate");
        stopped.StatusCode.Should().Be(HttpStatusCode.OK);
        (await stopped.Content.ReadAsStringAsync()).Should().Be($"{{\"instanceId\":\"{stopper}\",\"previousState\":\"running\",\"currentState\":\"stopping\"}}");
        (await terminated.Content.ReadAsStringAsync()).Should().Be($"{{\"instanceId\":\"{terminator}\",\"previousState\":\"running\",\"currentState\":\"shutting-down\"}}");
        again.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().Should().Be("IncorrectInstanceState");
        stoppedInstance.State.Name.Value.Should().Be("stopped");
        stoppedInstance.StateReason.Should().BeEquivalentTo(new { Code = "Client.InstanceInitiatedShutdown", Message = "Client.InstanceInitiatedShutdown: Instance initiated shutdown" });
        stoppedInstance.StateTransitionReason.Should().Be(string.Create(CultureInfo.InvariantCulture, $"Instance initiated shutdown ({silo.Time.GetUtcNow():yyyy-MM-dd HH:mm:ss} GMT)"));
        terminatedInstance.State.Name.Value.Should().Be("terminated");
        terminatedInstance.StateReason.Code.Should().Be("Client.InstanceInitiatedShutdown");
    }

    [Fact]
    public async Task ModifyInstanceAttribute_ShutdownBehaviorAndProtection_ChangeWhileRunning_OneAtATime()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceInitiatedShutdownBehavior = "terminate" });
        var behavior = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.InstanceInitiatedShutdownBehavior });
        var two = () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, DisableApiTermination = true, InstanceInitiatedShutdownBehavior = "stop" });
        var twoError = (await two.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var bad = () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceInitiatedShutdownBehavior = "hibernate" });
        var badError = (await bad.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var typeWhileRunning = () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceType = "m1.large" });
        var typeError = (await typeWhileRunning.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var unchanged = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.DisableApiTermination });

        behavior.InstanceAttribute.InstanceInitiatedShutdownBehavior.Should().Be("terminate");
        twoError.ErrorCode.Should().Be("InvalidParameterCombination");
        twoError.Message.Should().Be("Fields for multiple attribute types specified: disableApiTermination, instanceInitiatedShutdownBehavior");
        badError.ErrorCode.Should().Be("InvalidParameterValue");
        badError.Message.Should().Be("Value (hibernate) for parameter instanceInitiatedShutdownBehavior is invalid. Expected 'stop' or 'terminate'.");
        typeError.ErrorCode.Should().Be("IncorrectInstanceState");
        unchanged.InstanceAttribute.DisableApiTermination.Should().BeFalse();
    }

    [Fact]
    public async Task ModifyInstanceAttribute_InstanceTypeWhileStopped_ShowsInDescribeInstances()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });

        await ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, InstanceType = "m1.large" });
        var attribute = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.InstanceType });
        var instance = await Ec2Scenario.DescribeAsync(ec2, id);

        attribute.InstanceAttribute.InstanceType.Should().Be("m1.large");
        instance.InstanceType.Value.Should().Be("m1.large");
    }

    [Fact]
    public async Task ModifyInstanceAttribute_OfATerminatedInstance_FailsWithIncorrectInstanceState()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] });

        var act = () => ec2.ModifyInstanceAttributeAsync(new ModifyInstanceAttributeRequest { InstanceId = id, DisableApiTermination = true });

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("IncorrectInstanceState");
        error.Message.Should().Be($"The instance '{id}' is not in a state from which it can be modified (it is terminated).");
    }

    [Fact]
    public async Task DescribeInstanceAttribute_BadArguments_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        async Task<string> Code(DescribeInstanceAttributeRequest request)
        {
            var act = () => ec2.DescribeInstanceAttributeAsync(request);
            return (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode;
        }

        (await Code(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = "favouriteColour" })).Should().Be("InvalidParameterValue");
        (await Code(new DescribeInstanceAttributeRequest { InstanceId = "i-0123456789abcdef0", Attribute = InstanceAttributeName.UserData })).Should().Be("InvalidInstanceID.NotFound");
        (await Code(new DescribeInstanceAttributeRequest { InstanceId = "i-bad", Attribute = InstanceAttributeName.UserData })).Should().Be("InvalidInstanceID.Malformed");
        (await Code(new DescribeInstanceAttributeRequest { InstanceId = id })).Should().Be("MissingParameter");
    }

    [Fact]
    public async Task RunInstances_KernelRamdiskMonitoringAndEbsOptimized_ShowInDescribeInstancesAndItsFilters()
    {
        using var ec2 = silo.Alices();
        var marker = Ec2Scenario.UniqueName("options");
        var id = (await ec2.RunInstancesAsync(Request(await Ec2Scenario.ImageIdAsync(ec2), r =>
        {
            r.KernelId = "aki-0123abcd";
            r.RamdiskId = "ari-0123abcd";
            r.Monitoring = true;
            r.EbsOptimized = true;
            r.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Ec2Tag("Marker", marker)] }];
        }))).Reservation.Instances.Single().InstanceId;

        var instance = await Ec2Scenario.DescribeAsync(ec2, id);
        async Task<List<string>> Ids(Filter filter)
        {
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker]), filter] });
            return [.. (response.Reservations ?? []).SelectMany(r => r.Instances).Select(i => i.InstanceId)];
        }

        var kernel = await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.Kernel });
        var badKernel = () => ec2.RunInstancesAsync(Request(instance.ImageId, r => r.KernelId = "ami-0123abcd"));

        instance.KernelId.Should().Be("aki-0123abcd");
        instance.RamdiskId.Should().Be("ari-0123abcd");
        instance.Monitoring.State.Value.Should().Be("enabled");
        instance.EbsOptimized.Should().BeTrue();
        kernel.InstanceAttribute.KernelId.Should().Be("aki-0123abcd");
        (await Ids(new Filter("monitoring-state", ["enabled"]))).Should().Equal(id);
        (await Ids(new Filter("kernel-id", ["aki-0123abcd"]))).Should().Equal(id);
        (await Ids(new Filter("group-name", ["default"]))).Should().Equal(id);
        (await Ids(new Filter("instance.group-id", [instance.SecurityGroups.Single().GroupId]))).Should().Equal(id);
        (await Ids(new Filter("group-name", ["web"]))).Should().BeEmpty();
        (await badKernel.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidParameterValue");
    }

    private static Amazon.EC2.Model.RunInstancesRequest Request(string imageId, Action<Amazon.EC2.Model.RunInstancesRequest>? configure = null)
    {
        var request = new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, InstanceType = "m1.small" };
        configure?.Invoke(request);
        return request;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static async Task<string?> UserDataAsync(AmazonEC2Client ec2, string id)
        => (await ec2.DescribeInstanceAttributeAsync(new DescribeInstanceAttributeRequest { InstanceId = id, Attribute = InstanceAttributeName.UserData })).InstanceAttribute.UserData;

    private Task<HttpResponseMessage> SimAsync(HttpMethod method, string path)
        => silo.Http.SendAsync(RequestSigner.Signed(method, new Uri(silo.BaseUri, path), [], ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));
}
