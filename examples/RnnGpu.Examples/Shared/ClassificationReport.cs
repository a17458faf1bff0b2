using RnnGpu.Training;

namespace RnnGpu.Examples.Shared;

/// <summary>Test accuracy and confusion matrix of a classifier, printed and plotted.</summary>
public static class ClassificationReport
{
    /// <summary>Predicts <paramref name="x"/>, prints the accuracy and the confusion matrix, writes the heatmap; returns the accuracy.</summary>
    public static double Print(Model model, Tensor x, int[] labels, IReadOnlyList<string> classNames, ExampleOptions options, string plotName, string heading = "Test", bool printMatrix = true)
    {
        var predicted = model.PredictClasses(x, batchSize: Math.Max(options.BatchSize, 256));
        double accuracy = Metrics.Accuracy(labels, predicted);
        var matrix = Metrics.ConfusionMatrix(labels, predicted, classNames.Count);
        options.Output.WriteLine($"{heading} accuracy: {accuracy:F4} ({labels.Length} samples)");
        if (printMatrix)
        {
            options.Output.WriteLine("Confusion matrix (rows: actual, columns: predicted):");
            options.Output.WriteLine(Metrics.FormatConfusionMatrix(matrix, classNames));
        }
        string path = Plots.SaveConfusionMatrix(matrix, classNames, Path.Combine(options.EnsureOutDir(), plotName), $"{heading} confusion matrix");
        options.Output.WriteLine($"Wrote {path}");
        return accuracy;
    }

    /// <summary>The first <paramref name="count"/> images and labels.</summary>
    public static (Tensor X, int[] Labels) Head(Datasets.LabeledImages images, int count) =>
        (images.Images.SliceRows(0, count), images.Labels[..count]);
}
