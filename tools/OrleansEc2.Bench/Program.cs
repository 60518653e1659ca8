using System.CommandLine;
using OrleansEc2.Bench;
using OrleansEc2.Bench.Api;
using OrleansEc2.Bench.S3;
using OrleansEc2.Bench.Scale;

// One subcommand per benchmark: `dotnet run -c Release --project tools/OrleansEc2.Bench -- bundle`.
var root = new RootCommand("OrleansEc2 benchmarks against the reference commands.")
{
    BundleBenchmark.CreateCommand(),
    ApiBench.CreateCommand(),
    ScaleBench.CreateCommand(),
    S3Bench.CreateCommand(),
};
return await root.Parse(args).InvokeAsync();
