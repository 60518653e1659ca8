using Amazon.EC2;
using Amazon.EC2.Model;

namespace OrleansEc2.Api.Tests.Infrastructure;

/// <summary>Small steps the action tests share, through the real SDK.</summary>
public static class Ec2Scenario
{
    public const string WindowsImageName = "Windows-Server2003R2-i386-Base-v1.07";
    public const string LinuxImageName = "fedora-8-i386-base-v1.07";

    public static async Task<string> ImageIdAsync(AmazonEC2Client ec2, string name = WindowsImageName)
    {
        var images = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new Filter("name", [name])] });
        return images.Images.Single().ImageId;
    }

    public static async Task<List<Instance>> RunAsync(AmazonEC2Client ec2, int count = 1, string? keyName = null, string imageName = WindowsImageName, params Amazon.EC2.Model.Tag[] tags)
    {
        var request = new Amazon.EC2.Model.RunInstancesRequest
        {
            ImageId = await ImageIdAsync(ec2, imageName),
            MinCount = count,
            MaxCount = count,
            InstanceType = "m1.small",
            KeyName = keyName,
        };
        if (tags.Length > 0)
        {
            request.TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [.. tags] }];
        }

        var response = await ec2.RunInstancesAsync(request);
        return response.Reservation.Instances;
    }

    public static async Task<Instance> DescribeAsync(AmazonEC2Client ec2, string instanceId)
    {
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] });
        return response.Reservations.Single().Instances.Single();
    }

    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("n")[..10];
}
