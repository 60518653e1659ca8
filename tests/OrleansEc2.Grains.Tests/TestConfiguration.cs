using Microsoft.Extensions.Configuration;

namespace OrleansEc2.Grains.Tests;

/// <summary>The repository's appsettings.json with test overrides: every duration zero, a given data directory.</summary>
public static class TestConfiguration
{
    public static IConfiguration Build(string dataDirectory, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataDirectory"] = dataDirectory,
            ["Durations:Boot"] = "00:00:00",
            ["Durations:Shutdown"] = "00:00:00",
            ["Durations:Reboot"] = "00:00:00",
            ["Durations:BundlePhaseMinimum"] = "00:00:00",
            ["Durations:PasswordAvailableAfterBoot"] = "00:00:00",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(FindRepositoryRoot(), "appsettings.json"), optional: false)
            .AddInMemoryCollection(settings)
            .Build();
    }

    /// <summary>The directory holding OrleansEc2.sln, found upwards from the test assembly.</summary>
    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrleansEc2.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OrleansEc2.sln not found above " + AppContext.BaseDirectory);
    }
}
