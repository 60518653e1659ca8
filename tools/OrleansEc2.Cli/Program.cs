using OrleansEc2.Cli;

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};

return await Ec2SimCli.RunAsync(args, CliConsole.FromSystemConsole(), interrupted.Token);
