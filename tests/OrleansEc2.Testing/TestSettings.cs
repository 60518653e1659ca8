namespace OrleansEc2.Testing;

/// <summary>The settings tests run a silo with, on top of the repository's appsettings.json.</summary>
public static class TestSettings
{
    /// <summary>Every simulated duration zero, so a transition completes at once.</summary>
    public static IReadOnlyDictionary<string, string?> ZeroDurations { get; } = new Dictionary<string, string?>
    {
        ["Durations:Boot"] = "00:00:00",
        ["Durations:Shutdown"] = "00:00:00",
        ["Durations:Reboot"] = "00:00:00",
        ["Durations:BundlePhaseMinimum"] = "00:00:00",
        ["Durations:PasswordAvailableAfterBoot"] = "00:00:00",
    };

    /// <summary>
    /// The settings of one test silo: zero durations, its data directory and ports, then <paramref name="overrides"/>
    /// (which win).
    /// </summary>
    public static Dictionary<string, string?> For(
        string dataDirectory,
        string urls,
        SiloPorts ports,
        IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        var settings = new Dictionary<string, string?>(ZeroDurations)
        {
            ["DataDirectory"] = dataDirectory,
            ["Urls"] = urls,
            ["Orleans:SiloPort"] = ports.Silo.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = ports.Gateway.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A new empty directory under the system's temp directory.</summary>
    public static string NewTemporaryDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "orleans-ec2-tests", $"{purpose}-{Guid.NewGuid():n}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a directory tree, tolerating files a finishing writer still holds (the OS cleans temp).</summary>
    public static void DeleteDirectory(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }
}
