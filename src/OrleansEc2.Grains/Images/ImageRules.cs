using System.Text;
using System.Text.RegularExpressions;

namespace OrleansEc2.Grains.Images;

/// <summary>A manifest's location, <c>bucket/key</c>; parts are objects next to it (<see cref="Folder"/> + file name).</summary>
public sealed record ManifestLocation(string Bucket, string Key)
{
    /// <summary>The key's folder, with its trailing slash (empty at the bucket's root).</summary>
    public string Folder => Key[..(Key.LastIndexOf('/') + 1)];

    public string PartKey(string fileName) => Folder + fileName;

    public override string ToString() => $"{Bucket}/{Key}";
}

/// <summary>EC2's rules for what RegisterImage and ModifyImageAttribute take.</summary>
public static partial class ImageRules
{
    public const int MaxDescriptionLength = 255;

    private const int MaxKeyBytes = 1024;

    private static readonly string[] Architectures = ["i386", "x86_64"];

    /// <summary>3 to 128 characters: letters, digits, spaces and <c>( ) [ ] . / ' @ _ -</c>.</summary>
    public static void ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidAmiNameMalformed,
                $"AMI name '{name}' is not valid: AMI names must be between 3 and 128 characters long, and may contain letters, numbers, spaces, '(', ')', '[', ']', '.', '/', ''', '@', '_' and '-'.");
        }
    }

    public static void ValidateDescription(string? description)
    {
        if (description is not null && description.Length > MaxDescriptionLength)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"The description is {description.Length} characters long: an AMI description is at most {MaxDescriptionLength} characters.");
        }
    }

    public static bool IsArchitecture(string? architecture) => architecture is not null && Architectures.Contains(architecture, StringComparer.Ordinal);

    public static void ValidateArchitecture(string? architecture)
    {
        if (architecture is not null && !IsArchitecture(architecture))
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"Value ({architecture}) for parameter architecture is invalid. Valid values: {string.Join(", ", Architectures)}.");
        }
    }

    /// <summary><c>bucket/key</c>: a bucket name, a slash, and a key not ending in a slash.</summary>
    public static ManifestLocation ParseLocation(string? imageLocation)
    {
        var slash = imageLocation?.IndexOf('/') ?? -1;
        if (imageLocation is null || slash <= 0 || slash == imageLocation.Length - 1 || imageLocation.EndsWith('/')
            || Encoding.UTF8.GetByteCount(imageLocation.AsSpan(slash + 1)) > MaxKeyBytes)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidParameterValue,
                $"Invalid value '{imageLocation}' for ImageLocation: expected the manifest's bucket and key, as in mybucket/myimage.manifest.xml.");
        }

        return new ManifestLocation(imageLocation[..slash], imageLocation[(slash + 1)..]);
    }

    public static bool IsAccountId(string value) => AccountIdPattern().IsMatch(value);

    [GeneratedRegex(@"^[a-zA-Z0-9()\[\] ./'@_-]{3,128}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();
}
