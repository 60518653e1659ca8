using System.Net;
using Amazon.Runtime;

namespace OrleansEc2.Cli.Tests;

public class ServiceErrorTests
{
    [Theory]
    [InlineData(ErrorType.Sender, HttpStatusCode.BadRequest, "Client.InvalidInstanceID.NotFound: The instance ID 'i-0123' does not exist")]
    [InlineData(ErrorType.Receiver, HttpStatusCode.InternalServerError, "Server.InvalidInstanceID.NotFound: The instance ID 'i-0123' does not exist")]
    public void ServiceError_PrintsAsTheClassicApiToolsDid(ErrorType type, HttpStatusCode status, string expected)
    {
        var error = new AmazonServiceException("The instance ID 'i-0123' does not exist", type, "InvalidInstanceID.NotFound", "req-1", status);

        Ec2SimCli.FormatServiceError(error).Should().Be(expected);
    }
}
