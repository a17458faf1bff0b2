using System.Diagnostics;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using Spectre.Console;

namespace RnnGpu.Examples.Reuters;

/// <summary>
/// Reuters newswire topics (46 classes) from the first words of short newswires, as the tutorial did it: every word
/// index is fed as one raw number per step (<c>[N, maxlen, 1]</c>) to a vanilla RNN, a stacked vanilla RNN, an LSTM and
/// a stacked LSTM; a fifth model shows the proper way, a masked embedding of the indices before the LSTM, and a sixth
/// reads the embedded newswire from both ends with a bidirectional LSTM.
/// </summary>
public static class ReutersExample
{
    /// <summary>Epochs of the tutorial.</summary>
    public const int DefaultEpochs = 200;

    /// <summary>Batch size of the tutorial.</summary>
    public const int DefaultBatchSize = 50;

    /// <summary>Vocabulary size of the tutorial.</summary>
    public const int DefaultNumWords = 30_000;

    /// <summary>Sequence length of the tutorial (Keras's <c>load_data(maxlen)</c> also drops longer newswires).</summary>
    public const int DefaultMaxlen = 50;

    /// <summary>Test fraction of the tutorial.</summary>
    public const double DefaultTestSplit = 0.3;

    /// <summary>The data as the tutorial loads it.</summary>
    public static ReutersOptions TutorialOptions(int numWords = DefaultNumWords, int maxlen = DefaultMaxlen) =>
        new() { NumWords = numWords, Maxlen = maxlen, TestSplit = DefaultTestSplit };

    /// <summary>Trains and tests each of <paramref name="models"/>; returns the test accuracy of each.</summary>
    public static IReadOnlyList<(ReutersModelKind Model, double Accuracy)> Run(
        ExampleOptions options, ReutersDataset data, IReadOnlyList<ReutersModelKind> models, int maxlen = DefaultMaxlen)
    {
        var output = options.Output;
        int train = options.Take(data.TrainLabels.Length), test = options.Take(data.TestLabels.Length);
        var trainRows = SequencePadding.PadSequences(data.TrainSequences[..train], maxlen);
        var testRows = SequencePadding.PadSequences(data.TestSequences[..test], maxlen);
        int numWords = 1 + trainRows.Concat(testRows).SelectMany(r => r).DefaultIfEmpty(0).Max();
        int classes = Math.Max(data.TopicNames.Count, 1 + data.TrainLabels.Concat(data.TestLabels).Max());
        var xTrainIndices = SequencePadding.ToTensor(trainRows);
        var xTestIndices = SequencePadding.ToTensor(testRows);
        var xTrainRaw = xTrainIndices.Reshape(train, maxlen, 1);
        var xTestRaw = xTestIndices.Reshape(test, maxlen, 1);
        var yTrain = Labels(data.TrainLabels[..train]);
        var yTest = Labels(data.TestLabels[..test]);
        output.WriteLine($"{train} training and {test} test newswires, {classes} topics, word indices below {numWords}");
        output.WriteLine($"x_train (one index per step): [{string.Join(", ", xTrainRaw.Shape)}], x_test: [{string.Join(", ", xTestRaw.Shape)}]");
        output.WriteLine($"y_train: [{train}], y_test: [{test}] (topic numbers; sparse categorical cross-entropy)");

        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        var results = new List<(ReutersModelKind Model, double Accuracy, long Parameters, double SecondsPerEpoch)>();
        foreach (var kind in models)
        {
            output.WriteLine();
            output.WriteLine($"=== {kind.Title} ===");
            using var model = kind.Create(maxlen, numWords, classes);
            model.Output = output;
            model.UseBackend(backend, options.Seed);
            model.Compile(new Adam(0.001), new SparseCategoricalCrossentropy(), ["accuracy"]);
            model.Summary();
            var (x, xTest) = kind.UsesIndices ? (xTrainIndices, xTestIndices) : (xTrainRaw, xTestRaw);
            var watch = Stopwatch.StartNew();
            var history = model.Fit(x, yTrain, options.Epochs, options.BatchSize, validationData: (xTest, yTest));
            double perEpoch = options.Epochs == 0 ? 0 : watch.Elapsed.TotalSeconds / options.Epochs;
            foreach (string path in Plots.SaveTrainingCurves(history, options.EnsureOutDir(), $"{kind.Key}_", kind.Title))
                output.WriteLine($"Wrote {path}");
            double accuracy = ClassificationReport.Print(model, xTest, data.TestLabels[..test], data.TopicNames, options,
                $"{kind.Key}_confusion_matrix.png", $"{kind.Title} test", printMatrix: false);
            results.Add((kind, accuracy, model.ParameterCount, perEpoch));
        }

        output.WriteLine();
        var table = new Table().Title($"Reuters test accuracy after {options.Epochs} epochs");
        table.AddColumns("Model", "Params", "Test accuracy", "Tutorial", "s/epoch");
        foreach (var r in results)
            table.AddRow(r.Model.Title, r.Parameters.ToString("N0"), r.Accuracy.ToString("F3"),
                r.Model.TutorialAccuracy?.ToString("F3") ?? "-", r.SecondsPerEpoch.ToString("F1"));
        ConsoleFor(output).Write(table);
        return [.. results.Select(r => (r.Model, r.Accuracy))];
    }

    /// <summary>A Spectre console writing to <paramref name="writer"/> (plain text unless it is the real terminal).</summary>
    internal static IAnsiConsole ConsoleFor(TextWriter writer) =>
        ReferenceEquals(writer, Console.Out)
            ? AnsiConsole.Console
            : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });

    private static Tensor Labels(int[] labels) => new([.. labels.Select(l => (float)l)], labels.Length);
}
