using OrleansEc2.Bench.Api;

// One subcommand per benchmark; each returns the process exit code.
var commands = new Dictionary<string, (string Description, Func<string[], Task<int>> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["api"] = ("EC2 Query API throughput: DescribeInstances of 50 instances replayed on loopback", ApiBench.RunAsync),
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine("usage: OrleansEc2.Bench <command> [options]");
    foreach (var (name, (description, _)) in commands)
    {
        Console.Error.WriteLine($"  {name,-8} {description}");
    }

    return args.Length == 0 ? 0 : 2;
}

return await command.Run(args[1..]);
