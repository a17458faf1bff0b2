using System.Text.RegularExpressions;
using RnnGpu.Datasets;

namespace RnnGpu.Examples.Words;

/// <summary>A text as word indices over a frequency vocabulary (index 0 is <see cref="Unknown"/>, the out-of-vocabulary word).</summary>
public sealed partial class WordCorpus
{
    /// <summary>The token that stands for every word outside the vocabulary.</summary>
    public const string Unknown = "<unk>";

    private WordCorpus(Vocabulary<string> vocabulary, int[] indices)
    {
        Vocabulary = vocabulary;
        Indices = indices;
    }

    /// <summary>Token ↔ index map.</summary>
    public Vocabulary<string> Vocabulary { get; }

    /// <summary>The whole text as vocabulary indices.</summary>
    public int[] Indices { get; }

    /// <summary>Lower-cased words (with inner apostrophes) and sentence punctuation as separate tokens.</summary>
    public static List<string> Tokenize(string text) => [.. TokenPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value)];

    /// <summary>Tokenizes <paramref name="texts"/> and keeps the <paramref name="vocabularySize"/> most frequent tokens (the unknown entry included).</summary>
    public static WordCorpus Build(IEnumerable<string> texts, int vocabularySize)
    {
        var tokens = texts.SelectMany(Tokenize).ToList();
        var vocabulary = Vocabulary<string>.Build(tokens, Unknown, vocabularySize - 1);
        return new WordCorpus(vocabulary, vocabulary.Encode(tokens));
    }

    [GeneratedRegex(@"[a-z0-9]+(?:'[a-z]+)?|[.,;:!?]")]
    private static partial Regex TokenPattern();
}
