using RnnGpu.Datasets;

namespace RnnGpu.Examples.Words;

/// <summary>Continues a prompt word by word with a trained next-word model.</summary>
public sealed class WordContinuation(Model model, Vocabulary<string> vocabulary, int contextLength)
{
    /// <summary>
    /// Prints and returns <paramref name="count"/> words following <paramref name="prompt"/>. Words outside the vocabulary
    /// are named and read as the unknown word; a prompt shorter than the context is padded on the left with it.
    /// </summary>
    public string Continue(string prompt, int count, double temperature, Random random, TextWriter output)
    {
        var words = WordCorpus.Tokenize(prompt);
        if (words.Count == 0)
        {
            output.WriteLine("The prompt has no words to continue; type some words, e.g. \"the state of our union is\".");
            return "";
        }
        var unknown = words.Where(w => !vocabulary.Contains(w)).Distinct().ToList();
        if (unknown.Count > 0)
            output.WriteLine($"Not in the {vocabulary.Count}-word vocabulary, read as {WordCorpus.Unknown}: {string.Join(", ", unknown)}");
        if (words.Count < contextLength)
            output.WriteLine($"The prompt has {words.Count} words; the model reads {contextLength}, so it is padded on the left with {WordCorpus.Unknown}.");

        var window = new List<int>(Enumerable.Repeat(Vocabulary<string>.OovIndex, Math.Max(0, contextLength - words.Count)));
        window.AddRange(vocabulary.Encode(words.TakeLast(contextLength)));
        var generated = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var probabilities = model.Predict(new Tensor([.. window.Select(w => (float)w)], 1, contextLength), batchSize: 1);
            int next = TemperatureSampling.Sample(probabilities.Data, temperature, random);
            generated.Add(vocabulary.TokenAt(next));
            window.RemoveAt(0);
            window.Add(next);
        }
        string text = string.Join(' ', generated);
        output.WriteLine($"{prompt.Trim()} … {text}");
        return text;
    }
}
