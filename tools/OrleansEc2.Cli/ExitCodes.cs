namespace OrleansEc2.Cli;

/// <summary>Exit codes, as the classic EC2 AMI tools used them.</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The command line is wrong: a missing or invalid option.</summary>
    public const int UsageError = 1;

    /// <summary>A file or directory named on the command line does not exist.</summary>
    public const int FileNotFound = 2;

    /// <summary>The service (EC2 or S3) answered with an error.</summary>
    public const int ServiceError = 3;

    /// <summary>Any other failure: a refused bundle, an unreadable key, an I/O error.</summary>
    public const int Failure = 254;

    /// <summary>Interrupted (Ctrl-C).</summary>
    public const int Interrupted = 255;
}

/// <summary>A local error with the exit code it ends the command with; the message is printed as it is.</summary>
public sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static CliException Usage(string message) => new(ExitCodes.UsageError, message);

    public static CliException FileNotFound(string path) => new(ExitCodes.FileNotFound, $"File not found: {path}");
}
