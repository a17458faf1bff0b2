namespace RnnGpu.Datasets;

/// <summary>
/// A token ↔ index map built by frequency: index 0 is the out-of-vocabulary entry, then the most
/// frequent tokens from index 1 on. Ties in frequency are broken by first appearance in the input,
/// so the same input always yields the same vocabulary.
/// </summary>
/// <typeparam name="TToken">Token type, for example <see cref="string"/> for words or <see cref="char"/> for characters.</typeparam>
public sealed class Vocabulary<TToken> where TToken : notnull
{
    /// <summary>Index of the out-of-vocabulary entry.</summary>
    public const int OovIndex = 0;

    private readonly TToken[] _tokens;
    private readonly Dictionary<TToken, int> _indexOf;

    private Vocabulary(TToken[] tokens, IReadOnlyList<int> counts)
    {
        _tokens = tokens;
        Counts = counts;
        _indexOf = new Dictionary<TToken, int>(tokens.Length);
        // Index 0 stays reserved for OOV even if its placeholder also occurs as a real token.
        for (int i = tokens.Length - 1; i >= 1; i--)
            _indexOf[tokens[i]] = i;
    }

    /// <summary>
    /// Counts <paramref name="tokens"/> and keeps the <paramref name="maxTokens"/> most frequent (all
    /// when null) after the OOV entry <paramref name="oovToken"/> at index 0.
    /// </summary>
    public static Vocabulary<TToken> Build(IEnumerable<TToken> tokens, TToken oovToken, int? maxTokens = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (maxTokens is < 0)
            throw new ArgumentOutOfRangeException(nameof(maxTokens), "maxTokens must not be negative.");

        var counts = new Dictionary<TToken, (int Count, int FirstSeen)>();
        foreach (TToken token in tokens)
            counts[token] = counts.TryGetValue(token, out var seen) ? (seen.Count + 1, seen.FirstSeen) : (1, counts.Count);

        var ranked = counts
            .OrderByDescending(kv => kv.Value.Count)
            .ThenBy(kv => kv.Value.FirstSeen)
            .Take(maxTokens ?? int.MaxValue)
            .ToArray();
        TToken[] byIndex = [oovToken, .. ranked.Select(kv => kv.Key)];
        int[] countByIndex = [0, .. ranked.Select(kv => kv.Value.Count)];
        return new Vocabulary<TToken>(byIndex, countByIndex);
    }

    /// <summary>Number of entries, the OOV entry included.</summary>
    public int Count => _tokens.Length;

    /// <summary>The token at each index (index 0 is the OOV placeholder).</summary>
    public IReadOnlyList<TToken> Tokens => _tokens;

    /// <summary>How often the token at each index occurred in the input (0 for the OOV entry).</summary>
    public IReadOnlyList<int> Counts { get; }

    /// <summary>The index of <paramref name="token"/>, or <see cref="OovIndex"/> when it is not in the vocabulary.</summary>
    public int IndexOf(TToken token) => _indexOf.GetValueOrDefault(token, OovIndex);

    /// <summary>The token at <paramref name="index"/>.</summary>
    public TToken TokenAt(int index) => _tokens[index];

    /// <summary>True when <paramref name="token"/> has its own index.</summary>
    public bool Contains(TToken token) => _indexOf.ContainsKey(token);

    /// <summary>Maps tokens to indices (unknown tokens to <see cref="OovIndex"/>).</summary>
    public int[] Encode(IEnumerable<TToken> tokens) => tokens.Select(IndexOf).ToArray();

    /// <summary>Maps indices back to tokens.</summary>
    public TToken[] Decode(IEnumerable<int> indices) => indices.Select(TokenAt).ToArray();
}
