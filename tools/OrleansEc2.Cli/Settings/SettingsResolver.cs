namespace OrleansEc2.Cli.Settings;

/// <summary>
/// Resolves each setting from the first place that has it: the command line (<c>-U/--url</c>, <c>--region</c>,
/// <c>-O/--aws-access-key</c>, <c>-W/--aws-secret-key</c>), then the environment (<c>EC2_URL</c>,
/// <c>AWS_DEFAULT_REGION</c> or <c>AWS_REGION</c>, <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c>, or the
/// classic tools' <c>AWS_ACCESS_KEY</c> and <c>AWS_SECRET_KEY</c>), then the config file (<c>$EC2SIM_CONFIG</c>, else
/// <c>~/.ec2sim/config</c>), then the defaults (<c>http://127.0.0.1:8773</c>, <c>us-east-1</c>). The access key id and
/// its secret are taken together, from the first place that gives either; a command that takes an access key of its
/// own (<c>ec2-bundle-instance -o -w</c>) signs with that one when no other place gives any.
/// </summary>
internal static class SettingsResolver
{
    public const string ConfigVariable = "EC2SIM_CONFIG";

    public const string MissingCredentialsMessage =
        "No AWS credentials to sign with: give -O/--aws-access-key and -W/--aws-secret-key, set AWS_ACCESS_KEY_ID and "
        + "AWS_SECRET_ACCESS_KEY, or put aws_access_key_id and aws_secret_access_key in ~/.ec2sim/config (or in the file "
        + "EC2SIM_CONFIG names).";

    /// <summary>What the command line gave (null where it gave nothing).</summary>
    public sealed record Flags(string? Url, string? Region, string? AccessKeyId, string? SecretAccessKey);

    public static Ec2SimSettings Resolve(Flags flags, CliConsole console, (string AccessKeyId, string Secret)? fallback = null)
    {
        var file = ConfigFile.Load(console);
        var url = flags.Url
            ?? console.GetEnvironmentVariable("EC2_URL")
            ?? file?.Get("url")
            ?? Ec2SimSettings.DefaultUrl;
        var region = flags.Region
            ?? console.GetEnvironmentVariable("AWS_DEFAULT_REGION")
            ?? console.GetEnvironmentVariable("AWS_REGION")
            ?? file?.Get("region")
            ?? Ec2SimSettings.DefaultRegion;

        var (accessKeyId, secret) = FirstPair(
            ("-O/--aws-access-key and -W/--aws-secret-key", flags.AccessKeyId, flags.SecretAccessKey),
            ("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", console.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), console.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")),
            ("AWS_ACCESS_KEY and AWS_SECRET_KEY", console.GetEnvironmentVariable("AWS_ACCESS_KEY"), console.GetEnvironmentVariable("AWS_SECRET_KEY")),
            ($"aws_access_key_id and aws_secret_access_key in {file?.Path}", file?.Get("aws_access_key_id"), file?.Get("aws_secret_access_key")),
            ("the command's own access key options", fallback?.AccessKeyId, fallback?.Secret));

        return new Ec2SimSettings(ParseUrl(url), ParseRegion(region), accessKeyId, secret);
    }

    private static (string AccessKeyId, string Secret) FirstPair(params (string Names, string? AccessKeyId, string? Secret)[] sources)
    {
        foreach (var (names, accessKeyId, secret) in sources)
        {
            if (accessKeyId is null && secret is null)
            {
                continue;
            }

            if (accessKeyId is null || secret is null)
            {
                throw CliException.Usage($"Incomplete AWS credentials: {names} go together; only one of them is set.");
            }

            return (accessKeyId, secret);
        }

        throw CliException.Usage(MissingCredentialsMessage);
    }

    private static Uri ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw CliException.Usage($"Invalid endpoint URL '{url}': expected an http:// or https:// URL such as {Ec2SimSettings.DefaultUrl}.");
        }

        return uri;
    }

    private static string ParseRegion(string region)
    {
        if (region.Length == 0 || region.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            throw CliException.Usage($"Invalid region '{region}': expected a region name such as {Ec2SimSettings.DefaultRegion}.");
        }

        return region;
    }
}
