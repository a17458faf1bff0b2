using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;

namespace RnnGpu.Examples.MnistCustomCell;

/// <summary>
/// MNIST digits read row by row (28 steps × 28 pixels) by an LSTM cell written from primitive ops
/// (<see cref="UserLstmCell"/> inside <see cref="Rnn"/>), then by the built-in fused <see cref="Lstm"/> on the same
/// data with the same settings, to show that both learn alike.
/// </summary>
public static class MnistCustomCellExample
{
    /// <summary>Epochs of the tutorial.</summary>
    public const int DefaultEpochs = 2;

    /// <summary>Batch size of the tutorial.</summary>
    public const int DefaultBatchSize = 100;

    /// <summary>Hidden units of both LSTMs.</summary>
    public const int Units = 128;

    /// <summary>Adam's learning rate in the tutorial.</summary>
    public const double LearningRate = 0.01;

    /// <summary>Trains both models on <paramref name="data"/>; returns the test accuracies (custom cell, built-in).</summary>
    public static (double Custom, double BuiltIn) Run(ExampleOptions options, ImageClassificationDataset data)
    {
        var output = options.Output;
        var (xTrain, yTrain) = ClassificationReport.Head(data.Train, options.Take(data.Train.Count));
        var (xTest, yTest) = ClassificationReport.Head(data.Test, options.Take(data.Test.Count));
        int rows = xTrain.Shape[1], pixels = xTrain.Shape[2], classes = data.ClassNames.Count;
        output.WriteLine($"x_train shape: [{string.Join(", ", xTrain.Shape)}], x_test shape: [{string.Join(", ", xTest.Shape)}]");
        output.WriteLine($"Each image is read as {rows} timesteps of {pixels} pixels.");

        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        double Train(string title, string key, Layer recurrent)
        {
            output.WriteLine();
            output.WriteLine($"=== {title} ===");
            using var model = new Sequential([recurrent, new Dense(classes, ActivationKind.Softmax)], key) { Output = output };
            model.UseBackend(backend, options.Seed);
            model.Compile(new Adam(LearningRate), new SparseCategoricalCrossentropy(), ["accuracy"]);
            model.Summary();
            var history = model.Fit(xTrain, Labels(yTrain), options.Epochs, options.BatchSize, validationData: (xTest, Labels(yTest)));
            foreach (string path in Plots.SaveTrainingCurves(history, options.EnsureOutDir(), $"{key}_", title))
                output.WriteLine($"Wrote {path}");
            return ClassificationReport.Print(model, xTest, yTest, data.ClassNames, options, $"{key}_confusion_matrix.png", $"{title} test");
        }

        double custom = Train($"User-written LSTM cell ({Units} units) in Rnn", "custom_cell", new Rnn(new UserLstmCell(Units), inputShape: [rows, pixels]));
        double builtIn = Train($"Built-in Lstm ({Units} units)", "builtin_lstm", new Lstm(Units, inputShape: [rows, pixels]));
        output.WriteLine();
        output.WriteLine($"Test accuracy: custom cell {custom:F4}, built-in LSTM {builtIn:F4}");
        return (custom, builtIn);
    }

    private static Tensor Labels(int[] labels) => new([.. labels.Select(l => (float)l)], labels.Length);
}
