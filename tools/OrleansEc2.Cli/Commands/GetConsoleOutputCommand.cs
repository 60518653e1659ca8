using System.CommandLine;
using System.Text;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-get-console-output INSTANCE</c>: the instance's console as the classic tool printed it — the instance id, the
/// time the console was last written, then the console's text (decoded from base64). A Windows instance's console is
/// where EC2Config says "Windows is Ready to use"; it is empty until the instance's first boot completes.
/// </summary>
internal sealed class GetConsoleOutputCommand : ServiceCommand
{
    private static readonly Argument<string> InstanceArgument = new("INSTANCE")
    {
        Description = "The instance.",
    };

    public GetConsoleOutputCommand(CliConsole console)
        : base("ec2-get-console-output", "Show an instance's console output.", console)
    {
        AddShortAlias();
        Arguments.Add(InstanceArgument);
    }

    public override string Usage => "ec2sim ec2-get-console-output INSTANCE";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var instanceId = parseResult.GetRequiredValue(InstanceArgument);
        var response = await session.Ec2().GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = instanceId }, cancellationToken);
        var text = string.IsNullOrEmpty(response.Output) ? "" : Encoding.UTF8.GetString(Convert.FromBase64String(response.Output));
        var id = response.InstanceId ?? instanceId;
        var timestamp = response.Timestamp ?? DateTime.UtcNow;
        output.Text(id + "\n" + ClassicFormat.Timestamp(timestamp) + "\n" + (text.Length == 0 || text.EndsWith('\n') ? text : text + "\n"));
        output.Value("instanceId", id);
        output.Value("timestamp", timestamp);
        output.Value("output", text);
        return ExitCodes.Success;
    }
}
