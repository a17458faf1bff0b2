using System.Text;

namespace RnnGpu.Datasets;

/// <summary>
/// Splits newswire text into words: lower-cases with the invariant culture and takes every maximal
/// run of letters or digits (<see cref="char.IsLetterOrDigit(char)"/>) as one token; everything else
/// (spaces, punctuation, the trailing control character of each article) separates tokens.
/// So <c>"U.S. 1,750 dlrs"</c> becomes <c>u, s, 1, 750, dlrs</c>.
/// </summary>
public static class ReutersTokenizer
{
    /// <summary>The tokens of <paramref name="text"/> in order.</summary>
    public static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (char c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
            tokens.Add(current.ToString());
        return tokens;
    }
}
