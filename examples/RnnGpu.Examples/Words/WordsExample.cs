using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Training;

namespace RnnGpu.Examples.Words;

/// <summary>
/// Word-level language model on State of the Union addresses: from 7 words, predict the next one. The words go
/// through an embedding (indices, not one-hot vectors: a 2,000-wide one-hot input would make the first LSTM's kernel
/// 5,000 rows tall for the same information) into two stacked LSTMs (1024 and 512 units in the tutorial) and a softmax
/// over the vocabulary. Afterwards it continues a prompt word by word.
/// </summary>
public static class WordsExample
{
    /// <summary>Default epochs.</summary>
    public const int DefaultEpochs = 3;

    /// <summary>Default batch size.</summary>
    public const int DefaultBatchSize = 64;

    /// <summary>Trains on <paramref name="texts"/>, then continues the prompt; returns the continuation (empty without a prompt).</summary>
    public static string Run(ExampleOptions options, IReadOnlyList<string> texts, WordsSettings settings)
    {
        var output = options.Output;
        var corpus = WordCorpus.Build(texts, settings.VocabularySize);
        var vocabulary = corpus.Vocabulary;
        int v = vocabulary.Count, context = settings.ContextLength;
        var windows = SlidingWindows.Build(corpus.Indices, context);
        int count = options.Take(windows.Count);
        var x = new Tensor([.. windows.Windows.Take(count).SelectMany(w => w.Select(i => (float)i))], count, context);
        var y = new Tensor([.. windows.NextItems.Take(count).Select(i => (float)i)], count);
        double unknownShare = corpus.Indices.Count(i => i == Vocabulary<string>.OovIndex) / (double)Math.Max(1, corpus.Indices.Length);
        output.WriteLine($"{texts.Count} addresses, {corpus.Indices.Length} tokens, vocabulary of {v} ({unknownShare:P1} of the tokens are {WordCorpus.Unknown})");
        output.WriteLine($"{windows.Count} windows of {context} words; training on {count}");
        output.WriteLine($"x shape: [{string.Join(", ", x.Shape)}] (word indices into an embedding), y shape: [{count}] (next word)");

        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        using var model = new Sequential(
            new Embedding(v, settings.EmbeddingWidth, inputShape: [context]),
            new Lstm(settings.Units1, returnSequences: true),
            new Lstm(settings.Units2),
            new Dense(v, ActivationKind.Softmax)) { Output = output };
        model.UseBackend(backend, options.Seed);
        model.Compile(new RmsProp(settings.LearningRate), new SparseCategoricalCrossentropy(), ["accuracy"]);
        model.Summary();

        var random = new Random(options.Seed);
        long iteration = 0;
        var lossSeries = new List<double>();
        var accuracySeries = new List<double>();
        double lossSum = 0, accuracySum = 0;
        int since = 0;
        double previousLoss = 0, previousAccuracy = 0;
        var report = new LambdaCallback(onBatchEnd: (batch, logs, _) =>
        {
            // Fit's logs are running means over the epoch; the batch's own values are recovered from two consecutive means.
            iteration++;
            since++;
            lossSum += BatchValue(logs["loss"], batch, ref previousLoss);
            accuracySum += BatchValue(logs["accuracy"], batch, ref previousAccuracy);
            if (iteration % settings.PrintEvery != 0) return;
            lossSeries.Add(lossSum / since);
            accuracySeries.Add(accuracySum / since);
            int sample = random.Next(count);
            var window = windows.Windows[sample];
            int predicted = model.PredictClasses(new Tensor([.. window.Select(i => (float)i)], 1, context), batchSize: 1)[0];
            // On a terminal Fit redraws its progress bar in place; end that line so the report gets its own.
            if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected) output.WriteLine();
            output.WriteLine($"iteration {iteration}: average loss {lossSum / since:F4}, accuracy {accuracySum / since:F4} over the last {since} | " +
                $"\"{string.Join(' ', vocabulary.Decode(window))}\" → {vocabulary.TokenAt(predicted)} (actual: {vocabulary.TokenAt(windows.NextItems[sample])})");
            lossSum = accuracySum = 0;
            since = 0;
        });
        var history = model.Fit(x, y, options.Epochs, options.BatchSize, callbacks: [report]);
        string outDir = options.EnsureOutDir();
        foreach (string path in Plots.SaveTrainingCurves(history, outDir, title: "State of the Union words"))
            output.WriteLine($"Wrote {path}");
        if (lossSeries.Count > 0)
        {
            output.WriteLine($"Wrote {Plots.SaveLines(Path.Combine(outDir, "iterations.png"), $"Average every {settings.PrintEvery} iterations", $"report (every {settings.PrintEvery} iterations)", "value", ("loss", lossSeries), ("accuracy", accuracySeries))}");
        }

        var continuation = new WordContinuation(model, vocabulary, context);
        if (settings.Prompt is { } prompt) return continuation.Continue(prompt, settings.GenerateWords, settings.Temperature, random, output);
        if (settings.Interactive)
        {
            output.WriteLine("Type a prompt and press Enter (an empty line ends):");
            while (true)
            {
                output.Write("prompt> ");
                string? line = Console.ReadLine();
                if (string.IsNullOrWhiteSpace(line)) break;
                continuation.Continue(line, settings.GenerateWords, settings.Temperature, random, output);
            }
        }
        return "";
    }

    /// <summary>The value of batch <paramref name="batch"/> from the running means before and after it (batches of equal size; the last may be smaller, which only blurs one report).</summary>
    private static double BatchValue(double runningMean, int batch, ref double previousMean)
    {
        double value = batch == 0 ? runningMean : runningMean * (batch + 1) - previousMean * batch;
        previousMean = runningMean;
        return value;
    }
}
