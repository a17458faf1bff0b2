using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Training;

namespace RnnGpu.Examples.FashionMnist;

/// <summary>
/// Fashion-MNIST read row by row: each 28×28 image is a sequence of 28 steps of 28 pixels, an LSTM(30) reads it and a
/// softmax layer names one of the 10 clothing classes.
/// </summary>
public static class FashionMnistExample
{
    /// <summary>Epochs of the tutorial.</summary>
    public const int DefaultEpochs = 10;

    /// <summary>Batch size of the tutorial.</summary>
    public const int DefaultBatchSize = 128;

    /// <summary>Hidden units of the LSTM.</summary>
    public const int Units = 30;

    /// <summary>Trains and evaluates on <paramref name="data"/> (images <c>[N, 28, 28]</c> in [0, 1]); returns the test accuracy.</summary>
    public static double Run(ExampleOptions options, ImageClassificationDataset data)
    {
        var output = options.Output;
        var (xTrain, yTrain) = ClassificationReport.Head(data.Train, options.Take(data.Train.Count));
        var (xTest, yTest) = ClassificationReport.Head(data.Test, options.Take(data.Test.Count));
        int rows = xTrain.Shape[1], pixels = xTrain.Shape[2];
        output.WriteLine($"x_train shape: [{string.Join(", ", xTrain.Shape)}], y_train: [{yTrain.Length}]");
        output.WriteLine($"x_test shape:  [{string.Join(", ", xTest.Shape)}], y_test:  [{yTest.Length}]");
        output.WriteLine($"Each image is read as {rows} timesteps of {pixels} pixels.");

        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        using var model = new Sequential(
            new Lstm(Units, inputShape: [rows, pixels]),
            new Dense(data.ClassNames.Count, ActivationKind.Softmax)) { Output = output };
        model.UseBackend(backend, options.Seed);
        model.Compile(new RmsProp(), new SparseCategoricalCrossentropy(), ["accuracy"]);
        model.Summary();

        // The weights of the epoch with the best validation accuracy, with the optimizer's state (a run can resume from it).
        var checkpoint = new ModelCheckpoint(Path.Combine(options.EnsureOutDir(), "fashion_mnist_lstm.safetensors"),
            monitor: "val_accuracy", saveBestOnly: true);
        var history = model.Fit(xTrain, Labels(yTrain), options.Epochs, options.BatchSize,
            validationData: (xTest, Labels(yTest)), callbacks: [checkpoint]);
        foreach (string path in Plots.SaveTrainingCurves(history, options.EnsureOutDir(), title: "Fashion-MNIST LSTM"))
            output.WriteLine($"Wrote {path}");
        if (checkpoint.LastSavedPath is { } saved)
            output.WriteLine($"Wrote {saved} (the best epoch's weights, val_accuracy {checkpoint.Best:F4})");

        var score = model.Evaluate(xTest, Labels(yTest), batchSize: 256);
        output.WriteLine($"Test loss: {score["loss"]:F4}");
        return ClassificationReport.Print(model, xTest, yTest, data.ClassNames, options, "confusion_matrix.png");
    }

    private static Tensor Labels(int[] labels) => new([.. labels.Select(l => (float)l)], labels.Length);
}
