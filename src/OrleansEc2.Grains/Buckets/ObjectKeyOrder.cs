namespace OrleansEc2.Grains.Buckets;

/// <summary>
/// S3's order of keys: the binary order of their UTF-8 bytes, which is the order of their code points. Ordinal string
/// comparison differs for characters above U+FFFF (UTF-16 surrogates sort below U+E000–U+FFFF), so those are mapped.
/// </summary>
public sealed class ObjectKeyOrder : IComparer<string>
{
    public static readonly ObjectKeyOrder Instance = new();

    private ObjectKeyOrder()
    {
    }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var a = x[i];
            var b = y[i];
            if (a != b)
            {
                return CodePointRank(a) - CodePointRank(b);
            }
        }

        return x.Length - y.Length;
    }

    // Surrogates (U+D800–U+DFFF) stand for code points above U+FFFF, so they rank above every other UTF-16 unit.
    private static int CodePointRank(char c) => c switch
    {
        >= '\uD800' and <= '\uDFFF' => c + 0x2000,
        >= '\uE000' => c - 0x800,
        _ => c,
    };
}
