using RnnGpu.Layers;

namespace RnnGpu.Examples.Reuters;

/// <summary>One of the networks the Reuters example compares, with the test accuracy the tutorial reported for it.</summary>
/// <param name="Key">Command-line name.</param>
/// <param name="Title">Name in the results table.</param>
/// <param name="TutorialAccuracy">The tutorial's test accuracy (null for the model it did not have).</param>
/// <param name="UsesIndices">True when the model reads word indices <c>[N, maxlen]</c> through an embedding rather than <c>[N, maxlen, 1]</c> raw values.</param>
public sealed record ReutersModelKind(string Key, string Title, double? TutorialAccuracy, bool UsesIndices)
{
    /// <summary>Units of every recurrent layer.</summary>
    public const int Units = 50;

    /// <summary>Width of the embedding of the fifth model.</summary>
    public const int EmbeddingWidth = 64;

    /// <summary>SimpleRNN(50) on the raw index of each word.</summary>
    public static ReutersModelKind VanillaRnn { get; } = new("rnn", "Vanilla RNN", 0.756, false);

    /// <summary>Three SimpleRNN(50) layers stacked.</summary>
    public static ReutersModelKind StackedRnn { get; } = new("stacked-rnn", "Stacked vanilla RNN", 0.738, false);

    /// <summary>LSTM(50) on the raw index of each word.</summary>
    public static ReutersModelKind Lstm { get; } = new("lstm", "LSTM", 0.846, false);

    /// <summary>Three LSTM(50) layers stacked.</summary>
    public static ReutersModelKind StackedLstm { get; } = new("stacked-lstm", "Stacked LSTM", 0.850, false);

    /// <summary>The proper way: a masked embedding of the word indices, then LSTM(50).</summary>
    public static ReutersModelKind EmbeddingLstm { get; } = new("embedding-lstm", "Embedding(maskZero) + LSTM", null, true);

    /// <summary>The same embedding, then a bidirectional LSTM(50) that reads each newswire from both ends.</summary>
    public static ReutersModelKind EmbeddingBidirectionalLstm { get; } = new("embedding-bilstm", "Embedding(maskZero) + Bidirectional(LSTM)", null, true);

    /// <summary>Every model in table order.</summary>
    public static IReadOnlyList<ReutersModelKind> All { get; } = [VanillaRnn, StackedRnn, Lstm, StackedLstm, EmbeddingLstm, EmbeddingBidirectionalLstm];

    /// <summary>The network for sequences of <paramref name="maxlen"/> steps, <paramref name="numWords"/> word indices and <paramref name="classes"/> topics.</summary>
    public Sequential Create(int maxlen, int numWords, int classes)
    {
        int?[] raw = [maxlen, 1];
        Layer[] recurrent = Key switch
        {
            "rnn" => [new SimpleRnn(Units, inputShape: raw)],
            "stacked-rnn" => [new SimpleRnn(Units, returnSequences: true, inputShape: raw), new SimpleRnn(Units, returnSequences: true), new SimpleRnn(Units)],
            "lstm" => [new Lstm(Units, inputShape: raw)],
            "stacked-lstm" => [new Lstm(Units, returnSequences: true, inputShape: raw), new Lstm(Units, returnSequences: true), new Lstm(Units)],
            "embedding-lstm" => [new Embedding(numWords, EmbeddingWidth, maskZero: true, inputShape: [maxlen]), new Lstm(Units)],
            "embedding-bilstm" => [new Embedding(numWords, EmbeddingWidth, maskZero: true, inputShape: [maxlen]), new Bidirectional(new Lstm(Units))],
            _ => throw new InvalidOperationException($"Unknown model '{Key}'."),
        };
        return new Sequential([.. recurrent, new Dense(classes, ActivationKind.Softmax)], Key);
    }

    /// <summary>Parses a comma-separated list of keys (or <c>all</c>).</summary>
    public static IReadOnlyList<ReutersModelKind> ParseList(string text)
    {
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return All;
        var picked = new List<ReutersModelKind>();
        foreach (string key in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            picked.Add(All.FirstOrDefault(m => m.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Unknown model '{key}'; known: {string.Join(", ", All.Select(m => m.Key))} or all."));
        return picked.Count > 0 ? picked : throw new ArgumentException($"No model named; known: {string.Join(", ", All.Select(m => m.Key))} or all.");
    }
}
