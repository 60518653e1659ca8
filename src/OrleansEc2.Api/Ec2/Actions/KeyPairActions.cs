using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>CreateKeyPair, ImportKeyPair, DescribeKeyPairs, DeleteKeyPair.</summary>
internal static partial class KeyPairActions
{
    private static readonly HashSet<string> KeyPairFilters = ["key-name", "key-pair-id", "fingerprint", "key-type"];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action("CreateKeyPair", new ParameterSchema("KeyName", "KeyType", "KeyFormat"), CreateKeyPairAsync);
        yield return new Ec2Action("ImportKeyPair", new ParameterSchema("KeyName", "PublicKeyMaterial"), ImportKeyPairAsync);
        yield return new Ec2Action(
            "DescribeKeyPairs",
            new ParameterSchema([.. ParameterSchema.Filters, "KeyName.N", "KeyPairId.N", "IncludePublicKey"]),
            DescribeKeyPairsAsync);
        yield return new Ec2Action("DeleteKeyPair", new ParameterSchema("KeyName", "KeyPairId"), DeleteKeyPairAsync);
    }

    private static async Task<Ec2Body> CreateKeyPairAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var keyName = KeyName(p);
        var keyType = p.Get("KeyType") ?? "rsa";
        if (keyType != "rsa")
        {
            throw QueryParameters.Invalid($"The key type '{keyType}' is not supported here: only 'rsa' key pairs are (Windows passwords are sealed with RSA).");
        }

        var keyFormat = p.Get("KeyFormat") ?? "pem";
        if (keyFormat != "pem")
        {
            throw QueryParameters.Invalid($"The key format '{keyFormat}' is not supported here: only 'pem' is.");
        }

        if (context.DryRun)
        {
            await EnsureNameFreeAsync(context, keyName);
            context.ThrowIfDryRun();
        }

        var created = await context.AccountRegion.CreateKeyPairAsync(keyName);
        var xml = new Ec2XmlWriter(4096)
            .Element("keyName", created.KeyPair.KeyName)
            .Element("keyFingerprint", created.KeyPair.KeyFingerprint)
            .Element("keyMaterial", created.PrivateKeyPem.TrimEnd())
            .Element("keyPairId", created.KeyPair.KeyPairId);
        return Ec2Body.From(xml);
    }

    private static async Task<Ec2Body> ImportKeyPairAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var keyName = KeyName(p);
        var material = OpenSshPublicKey.Decode(p.Require("PublicKeyMaterial"));
        if (context.DryRun)
        {
            await EnsureNameFreeAsync(context, keyName);
            context.ThrowIfDryRun();
        }

        var info = await context.AccountRegion.ImportKeyPairAsync(keyName, material);
        var xml = new Ec2XmlWriter(512)
            .Element("keyName", info.KeyName)
            .Element("keyFingerprint", info.KeyFingerprint)
            .Element("keyPairId", info.KeyPairId);
        return Ec2Body.From(xml);
    }

    private static async Task<Ec2Body> DescribeKeyPairsAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var names = p.GetList("KeyName");
        var ids = p.GetList("KeyPairId");
        foreach (var id in ids)
        {
            EnsureKeyPairId(id);
        }

        var includePublicKey = p.GetBool("IncludePublicKey");
        var filters = p.GetFilters(KeyPairFilters.Contains);
        context.ThrowIfDryRun();

        var keys = await context.AccountRegion.DescribeKeyPairsAsync(names, ids);
        var xml = new Ec2XmlWriter(1024).Start("keySet");
        foreach (var key in keys.OrEmpty())
        {
            var matches = filters.All(f => f.Name switch
            {
                "key-name" => Ec2Wildcard.MatchesAny(f.Values, key.KeyName),
                "key-pair-id" => Ec2Wildcard.MatchesAny(f.Values, key.KeyPairId),
                "fingerprint" => Ec2Wildcard.MatchesAny(f.Values, key.KeyFingerprint),
                _ => Ec2Wildcard.MatchesAny(f.Values, key.KeyType),
            });
            if (!matches)
            {
                continue;
            }

            xml.Start("item")
                .Element("keyPairId", key.KeyPairId)
                .Element("keyType", key.KeyType)
                .Element("keyName", key.KeyName)
                .Element("keyFingerprint", key.KeyFingerprint)
                .Element("createTime", key.CreateTime);
            if (includePublicKey)
            {
                xml.Element("publicKey", OpenSshPublicKey.FromPem(key.PublicKeyPem, key.KeyName));
            }

            xml.End("item");
        }

        return Ec2Body.From(xml.End("keySet"));
    }

    private static async Task<Ec2Body> DeleteKeyPairAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var keyName = p.Get("KeyName") is { Length: > 0 } name ? name : null;
        var keyPairId = p.Get("KeyPairId") is { Length: > 0 } id ? id : null;
        if (keyName is null && keyPairId is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.MissingParameter, "The request must contain the parameter KeyName or KeyPairId");
        }

        if (keyPairId is not null)
        {
            EnsureKeyPairId(keyPairId);
        }

        context.ThrowIfDryRun();
        string? deletedId = null;
        try
        {
            var found = await context.AccountRegion.DescribeKeyPairsAsync(
                keyName is null ? [] : [keyName],
                keyPairId is null ? [] : [keyPairId]);
            deletedId = found.OrEmpty().FirstOrDefault()?.KeyPairId;
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidKeyPairNotFound)
        {
            // Deleting a key pair that does not exist succeeds, as in EC2.
        }

        await context.AccountRegion.DeleteKeyPairAsync(keyName, keyPairId);
        var xml = new Ec2XmlWriter(128).Element("return", true).Element("keyPairId", deletedId);
        return Ec2Body.From(xml);
    }

    private static async Task EnsureNameFreeAsync(Ec2ActionContext context, string keyName)
    {
        try
        {
            await context.AccountRegion.DescribeKeyPairsAsync([keyName], []);
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.InvalidKeyPairNotFound)
        {
            return;
        }

        throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyPairDuplicate, $"The keypair '{keyName}' already exists.");
    }

    private static string KeyName(QueryParameters p)
    {
        var keyName = p.Require("KeyName");
        if (keyName.Length > 255)
        {
            throw QueryParameters.Invalid($"Value ({keyName[..16]}…) for parameter keyName is invalid. Length exceeds maximum of 255.");
        }

        if (keyName.Any(c => c is < ' ' or > '~'))
        {
            throw QueryParameters.Invalid("Value for parameter keyName is invalid. Character sets beyond ASCII are not supported.");
        }

        return keyName;
    }

    private static void EnsureKeyPairId(string id)
    {
        if (!KeyPairIdPattern().IsMatch(id))
        {
            throw QueryParameters.Invalid($"Invalid id: \"{id}\" (expecting \"key-...\")");
        }
    }

    [GeneratedRegex("^key-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex KeyPairIdPattern();
}

/// <summary>OpenSSH <c>ssh-rsa</c> public keys: ImportKeyPair's material in, DescribeKeyPairs' <c>publicKey</c> out.</summary>
internal static class OpenSshPublicKey
{
    /// <summary>
    /// ImportKeyPair's <c>PublicKeyMaterial</c> (a blob: base64 of the key file's text; a raw <c>ssh-rsa …</c> line is
    /// taken too) as a validated <c>ssh-rsa AAAA… [comment]</c> line.
    /// </summary>
    public static string Decode(string parameter)
    {
        string line;
        if (parameter.StartsWith("ssh-", StringComparison.Ordinal))
        {
            line = parameter;
        }
        else
        {
            try
            {
                line = new UTF8Encoding(false, true).GetString(Convert.FromBase64String(parameter.Trim()));
            }
            catch (Exception e) when (e is FormatException or DecoderFallbackException)
            {
                throw Invalid();
            }
        }

        line = line.Trim();
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "ssh-rsa")
        {
            throw Invalid();
        }

        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        if (!TryReadRsaBlob(blob, out _, out var modulus) || modulus.Length < 128)
        {
            throw Invalid();
        }

        return line;
    }

    /// <summary>A PEM RSA public key as an OpenSSH line with <paramref name="comment"/>; null when it cannot be read.</summary>
    public static string? FromPem(string pem, string comment)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return null;
        }

        var parameters = rsa.ExportParameters(false);
        var blob = new List<byte>();
        WriteString(blob, "ssh-rsa"u8);
        WriteString(blob, Mpint(parameters.Exponent!));
        WriteString(blob, Mpint(parameters.Modulus!));
        return $"ssh-rsa {Convert.ToBase64String([.. blob])} {comment}";
    }

    private static bool TryReadRsaBlob(byte[] blob, out byte[] exponent, out byte[] modulus)
    {
        exponent = modulus = [];
        var offset = 0;
        if (!TryReadString(blob, ref offset, out var type) || Encoding.ASCII.GetString(type) != "ssh-rsa")
        {
            return false;
        }

        return TryReadString(blob, ref offset, out exponent) && TryReadString(blob, ref offset, out modulus)
            && exponent.Length > 0 && offset == blob.Length;
    }

    private static bool TryReadString(byte[] blob, ref int offset, out byte[] value)
    {
        value = [];
        if (blob.Length - offset < 4)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(offset));
        offset += 4;
        if (length > (uint)(blob.Length - offset))
        {
            return false;
        }

        value = blob.AsSpan(offset, (int)length).ToArray();
        offset += (int)length;
        return true;
    }

    private static byte[] Mpint(byte[] unsigned)
    {
        var start = 0;
        while (start < unsigned.Length - 1 && unsigned[start] == 0)
        {
            start++;
        }

        var trimmed = unsigned[start..];
        return (trimmed[0] & 0x80) != 0 ? [0, .. trimmed] : trimmed;
    }

    private static void WriteString(List<byte> blob, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)value.Length);
        blob.AddRange(length);
        blob.AddRange(value);
    }

    private static Ec2Exception Invalid()
        => new(Ec2ErrorCodes.InvalidKeyFormat, "Key is not in valid OpenSSH public key format");
}
