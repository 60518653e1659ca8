using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bench;

/// <summary>
/// <c>bench bundle</c>: <c>ec2sim ec2-bundle-image</c> (Release build, run as a process) against the reference pipeline
/// of standard tools (<c>reference-bundle.sh</c> with pigz) on the same synthetic Windows disk, on this machine, in one
/// run: throughput of both, their ratio, the bundled-size ratio, and ec2sim's peak RSS on a 1 GiB image.
/// </summary>
public static class BundleBenchmark
{
    private const double ThroughputTarget = 2.0;
    private const double SizeTarget = 1.10;
    private const long RssTargetBytes = 256L << 20;

    private static readonly Option<int> SizeOption = new("--size-mib") { Description = "Size of the compared disk image, MiB.", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> RssSizeOption = new("--rss-size-mib") { Description = "Size of the image bundled for the peak-RSS check, MiB (0 skips it).", DefaultValueFactory = _ => 1024 };
    private static readonly Option<int> RunsOption = new("--runs") { Description = "Runs of each side; the best is kept (other load on the machine only slows runs down).", DefaultValueFactory = _ => 3 };
    private static readonly Option<int> LevelOption = new("--level") { Description = "ec2sim's compression level.", DefaultValueFactory = _ => BundleOptions.DefaultCompressionLevel };
    private static readonly Option<string?> LevelsOption = new("--levels") { Description = "Also measure these compression levels (e.g. 1,2,3,4,6) against the reference." };
    private static readonly Option<int> SeedOption = new("--seed") { Description = "Seed of the synthetic disk.", DefaultValueFactory = _ => 42 };
    private static readonly Option<string> WorkOption = new("--work-dir") { Description = "Scratch directory (images and bundles).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "orleans-ec2-bench") };
    private static readonly Option<int> NiceOption = new("--nice") { Description = "Run both sides at this niceness; on a machine shared with other work, -20 (as root) measures what each side does with the cores.", DefaultValueFactory = _ => 0 };
    private static readonly Option<string?> ReferenceOption = new("--reference") { Description = "The reference script. Default: shared/bench/reference-bundle.sh beside the repository, or /work/shared/bench." };

    public static Command CreateCommand()
    {
        var command = new Command("bundle", "ec2-bundle-image against the reference tar | sha1sum | pigz -6 | openssl enc | split pipeline.")
        {
            SizeOption, RssSizeOption, RunsOption, LevelOption, LevelsOption, SeedOption, WorkOption, NiceOption, ReferenceOption,
        };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parseResult)
    {
        var sizeMib = parseResult.GetValue(SizeOption);
        var rssSizeMib = parseResult.GetValue(RssSizeOption);
        var runs = Math.Max(1, parseResult.GetValue(RunsOption));
        var level = parseResult.GetValue(LevelOption);
        var levels = (parseResult.GetValue(LevelsOption) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => int.Parse(l, CultureInfo.InvariantCulture)).ToList();
        var seed = parseResult.GetValue(SeedOption);
        var work = Directory.CreateDirectory(parseResult.GetValue(WorkOption)!).FullName;
        var repository = FindRepository();
        var reference = parseResult.GetValue(ReferenceOption) ?? FindReferenceScript(repository);
        MeasuredProcess.Niceness = parseResult.GetValue(NiceOption);

        Console.WriteLine($"Bundle benchmark: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}, niceness {MeasuredProcess.Niceness}");
        await EnsurePigzAsync();
        var ec2sim = await BuildEc2SimAsync(repository);
        WriteKeys(work);

        var image = WriteSyntheticDisk(work, sizeMib, seed);
        Console.WriteLine($"Image: {sizeMib} MiB synthetic Windows disk (seed {seed}), {image}");
        Console.WriteLine($"Reference: {reference} with pigz -6");
        Console.WriteLine($"ec2sim: {ec2sim}");
        Console.WriteLine();

        var referenceRuns = new List<Measurement>();
        var ourRuns = new List<Measurement>();
        Console.WriteLine($"{"run",-5}{"reference",-28}ec2sim (level {level})");
        for (var run = 1; run <= runs; run++)
        {
            referenceRuns.Add(await RunReferenceAsync(reference, image, work));
            ourRuns.Add(await RunEc2SimAsync(ec2sim, image, work, level));
            Console.WriteLine($"{run,-5}{Describe(referenceRuns[^1]),-28}{Describe(ourRuns[^1])}");
        }

        var referenceBest = referenceRuns.MinBy(m => m.Wall)!;
        var ourBest = ourRuns.MinBy(m => m.Wall)!;
        var referenceSize = BundledSize(Path.Combine(work, "reference"), "image.part.");
        var ourSize = BundledSize(Path.Combine(work, "ec2sim"), "image.part.");
        var imageBytes = (long)sizeMib << 20;
        Console.WriteLine($"{"best",-5}{Throughput(imageBytes, referenceBest),-28}{Throughput(imageBytes, ourBest)}");
        Console.WriteLine();

        var speedup = referenceBest.Wall / ourBest.Wall;
        var sizeRatio = (double)ourSize / referenceSize;
        var passed = true;
        passed &= Report("Throughput ratio", $"{speedup:F2}x", $">= {ThroughputTarget:F1}x", speedup >= ThroughputTarget);
        passed &= Report("Bundled size ratio", $"{sizeRatio:F3}x ({ourSize:N0} vs {referenceSize:N0} bytes)", $"<= {SizeTarget:F2}x", sizeRatio <= SizeTarget);
        if (referenceBest.Cpu is { } referenceCpu && ourBest.Cpu is { } ourCpu)
        {
            Console.WriteLine($"{"CPU time (best runs)",-28}{ourCpu.TotalSeconds:F2} s vs {referenceCpu.TotalSeconds:F2} s = {referenceCpu / ourCpu:F2}x less");
        }

        foreach (var other in levels)
        {
            var best = new List<Measurement>();
            for (var run = 0; run < runs; run++)
            {
                best.Add(await RunEc2SimAsync(ec2sim, image, work, other));
            }

            var m = best.MinBy(x => x.Wall)!;
            var size = BundledSize(Path.Combine(work, "ec2sim"), "image.part.");
            Console.WriteLine($"{"  level " + other,-28}{Throughput(imageBytes, m)}, {referenceBest.Wall / m.Wall:F2}x the reference, size {(double)size / referenceSize:F3}x, cpu {m.Cpu?.TotalSeconds:F2} s");
        }

        if (rssSizeMib > 0)
        {
            File.Delete(image);
            var large = WriteSyntheticDisk(work, rssSizeMib, seed);
            var measured = await RunEc2SimAsync(ec2sim, large, work, level);
            File.Delete(large);
            var rss = measured.PeakRssBytes ?? 0;
            passed &= Report(
                $"Peak RSS, {rssSizeMib} MiB image",
                $"{rss / 1048576.0:F1} MiB (bundled in {measured.Wall.TotalSeconds:F2} s, {Throughput((long)rssSizeMib << 20, measured)})",
                $"<= {RssTargetBytes >> 20} MiB",
                rss > 0 && rss <= RssTargetBytes);
        }

        Directory.Delete(Path.Combine(work, "reference"), recursive: true);
        Directory.Delete(Path.Combine(work, "ec2sim"), recursive: true);
        return passed ? 0 : 1;
    }

    private static bool Report(string what, string measured, string target, bool pass)
    {
        Console.WriteLine($"{what,-28}{measured}   target {target}   {(pass ? "PASS" : "FAIL")}");
        return pass;
    }

    private static string Describe(Measurement m) =>
        m.Cpu is { } cpu ? $"{m.Wall.TotalSeconds:F2} s (cpu {cpu.TotalSeconds:F2} s)" : $"{m.Wall.TotalSeconds:F2} s";

    private static string Throughput(long bytes, Measurement m) =>
        $"{m.Wall.TotalSeconds:F2} s = {bytes / 1048576.0 / m.Wall.TotalSeconds:F1} MiB/s";

    private static Task<Measurement> RunReferenceAsync(string script, string image, string work) =>
        MeasuredProcess.RunAsync("bash", [script, image, Path.Combine(work, "reference"), "pigz"], work);

    private static Task<Measurement> RunEc2SimAsync(string ec2sim, string image, string work, int level)
    {
        var output = Path.Combine(work, "ec2sim");
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        Directory.CreateDirectory(output);
        return MeasuredProcess.RunAsync(
            ec2sim,
            [
                "ec2-bundle-image", "-i", image, "-c", "user.crt", "-k", "user.key", "-u", "111122223333", "--ec2cert", "ec2.crt",
                "-d", output, "-p", "image", "-r", "x86_64", "--batch", "--compression-level", level.ToString(CultureInfo.InvariantCulture),
            ],
            work);
    }

    private static long BundledSize(string directory, string partPrefix) =>
        Directory.GetFiles(directory, partPrefix + "*").Sum(f => new FileInfo(f).Length);

    private static string WriteSyntheticDisk(string work, int sizeMib, int seed)
    {
        var path = Path.Combine(work, $"disk-{sizeMib}mib.img");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            SyntheticDisk.Write(file, new SyntheticDiskSpec((long)sizeMib << 20, seed, DiskPlatform.Windows));
        }

        // Read it once so that both sides start from the page cache.
        using (var file = File.OpenRead(path))
        {
            file.CopyTo(Stream.Null, 1 << 20);
        }

        return path;
    }

    private static void WriteKeys(string work)
    {
        foreach (var (name, subject) in new[] { ("user", "CN=bench-user"), ("ec2", "CN=bench-ec2-us-east-1") })
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
            File.WriteAllText(Path.Combine(work, $"{name}.key"), rsa.ExportRSAPrivateKeyPem());
            File.WriteAllText(Path.Combine(work, $"{name}.crt"), certificate.ExportCertificatePem());
        }
    }

    private static async Task EnsurePigzAsync()
    {
        if (await ExitCodeAsync("bash", ["-c", "command -v pigz"]) == 0)
        {
            return;
        }

        Console.WriteLine("pigz is missing: apt-get install -y pigz");
        if (await ExitCodeAsync("apt-get", ["install", "-y", "pigz"]) != 0
            && (await ExitCodeAsync("apt-get", ["update"]) != 0 || await ExitCodeAsync("apt-get", ["install", "-y", "pigz"]) != 0))
        {
            throw new InvalidOperationException("pigz could not be installed (apt-get install -y pigz failed).");
        }
    }

    private static async Task<string> BuildEc2SimAsync(string repository)
    {
        var project = Path.Combine(repository, "tools", "OrleansEc2.Cli", "OrleansEc2.Cli.csproj");
        Console.WriteLine("Building ec2sim (Release)...");
        if (await ExitCodeAsync("dotnet", ["build", project, "-c", "Release", "--nologo", "-v", "quiet"]) != 0)
        {
            throw new InvalidOperationException($"dotnet build {project} -c Release failed.");
        }

        return Path.Combine(repository, "tools", "OrleansEc2.Cli", "bin", "Release", "net10.0", "ec2sim");
    }

    private static async Task<int> ExitCodeAsync(string fileName, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            Console.Error.Write(await error);
            Console.Error.Write(await output);
        }

        return process.ExitCode;
    }

    private static string FindRepository()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OrleansEc2.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Run the bench from the repository (OrleansEc2.sln not found above it).");
    }

    private static string FindReferenceScript(string repository)
    {
        var candidates = new[]
        {
            Path.Combine(repository, "..", "shared", "bench", "reference-bundle.sh"),
            "/work/shared/bench/reference-bundle.sh",
        };
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"The reference script is not at {string.Join(" or ", candidates)}; give it with --reference.");
    }
}
