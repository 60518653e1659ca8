namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// File paths as the guest writes them. Windows: absolute on drive <c>C:</c> (<c>C:\Users\Administrator\notes.txt</c>),
/// <c>/</c> accepted for <c>\</c>, case-insensitive, Windows' forbidden characters and device names refused.
/// Linux: absolute POSIX paths (<c>/home/ec2-user/notes.txt</c>), case-sensitive. At most 259 characters.
/// </summary>
internal static class GuestPath
{
    public const int MaxLength = 259;

    private static readonly string[] DeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    public static StringComparer Comparer(DiskPlatform platform) =>
        platform == DiskPlatform.Windows ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    public static char Separator(DiskPlatform platform) => platform == DiskPlatform.Windows ? '\\' : '/';

    /// <summary>The path in its canonical spelling, or a <see cref="DiskException"/> saying why it is not a file path.</summary>
    public static string Normalize(string path, DiskPlatform platform)
    {
        if (path is null)
        {
            throw Invalid("(null)", "a path is required");
        }

        return platform == DiskPlatform.Windows ? NormalizeWindows(path) : NormalizeLinux(path);
    }

    /// <summary>The directories above a normalized path, outermost first (<c>C:\a</c>, <c>C:\a\b</c> for <c>C:\a\b\c</c>).</summary>
    public static IEnumerable<string> Parents(string normalized, DiskPlatform platform)
    {
        var separator = Separator(platform);
        var start = platform == DiskPlatform.Windows ? 3 : 1;
        for (var i = normalized.IndexOf(separator, start); i >= 0; i = normalized.IndexOf(separator, i + 1))
        {
            yield return normalized[..i];
        }
    }

    private static string NormalizeWindows(string path)
    {
        var p = path.Replace('/', '\\');
        if (p.Length < 4 || (p[0] != 'C' && p[0] != 'c') || p[1] != ':' || p[2] != '\\')
        {
            throw Invalid(path, @"a path is absolute on drive C: (C:\folder\file.txt)");
        }

        p = "C" + p[1..];
        CheckLength(path, p);
        foreach (var component in p[3..].Split('\\'))
        {
            CheckComponent(path, component);
            if (component.IndexOfAny(['<', '>', ':', '"', '|', '?', '*']) >= 0 || component.Any(c => c < ' '))
            {
                throw Invalid(path, $"'{component}' has a character Windows does not allow in a file name");
            }

            if (component.EndsWith('.') || component.EndsWith(' '))
            {
                throw Invalid(path, $"'{component}' ends with a dot or a space");
            }

            var stem = component.Split('.')[0].TrimEnd();
            if (DeviceNames.Contains(stem, StringComparer.OrdinalIgnoreCase))
            {
                throw Invalid(path, $"'{component}' is a reserved device name");
            }
        }

        return p;
    }

    private static string NormalizeLinux(string path)
    {
        if (path.Length < 2 || path[0] != '/')
        {
            throw Invalid(path, "a path is absolute (/folder/file)");
        }

        CheckLength(path, path);
        foreach (var component in path[1..].Split('/'))
        {
            CheckComponent(path, component);
            if (component.Contains('\0'))
            {
                throw Invalid(path, "a file name cannot contain NUL");
            }
        }

        return path;
    }

    private static void CheckLength(string original, string path)
    {
        if (path.Length > MaxLength)
        {
            throw Invalid(original, $"a path is at most {MaxLength} characters, this one is {path.Length}");
        }
    }

    private static void CheckComponent(string path, string component)
    {
        if (component.Length == 0)
        {
            throw Invalid(path, "it has an empty file or folder name");
        }

        if (component is "." or "..")
        {
            throw Invalid(path, "'.' and '..' are not allowed");
        }
    }

    private static DiskException Invalid(string path, string why) =>
        new(DiskError.InvalidPath, $"Invalid path '{path}': {why}.");
}
