using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>EC2's filter wildcards: <c>*</c> any run of characters, <c>?</c> one character, <c>\</c> escapes the next.</summary>
public static class Ec2Wildcard
{
    public static bool IsMatch(string pattern, string value)
    {
        // Greedy glob match with one backtrack point: linear in practice, never exponential.
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starV = v;
            }
            else if (p < pattern.Length && Literal(pattern, p, out var literal, out var width) && (literal is null || literal == value[v]))
            {
                p += width;
                v++;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>A pattern with no wildcard or escape in it: it matches only itself.</summary>
    public static bool IsLiteral(string pattern) => pattern.AsSpan().IndexOfAny('*', '?', '\\') < 0;

    public static bool MatchesAny(ImmutableArray<string> patterns, string? value)
        => value is not null && patterns.Any(p => IsMatch(p, value));

    /// <summary>The pattern character at <paramref name="p"/>: null for '?', else the (possibly escaped) literal.</summary>
    private static bool Literal(string pattern, int p, out char? literal, out int width)
    {
        var c = pattern[p];
        if (c == '?')
        {
            literal = null;
            width = 1;
        }
        else if (c == '\\' && p + 1 < pattern.Length)
        {
            literal = pattern[p + 1];
            width = 2;
        }
        else
        {
            literal = c;
            width = 1;
        }

        return true;
    }
}
