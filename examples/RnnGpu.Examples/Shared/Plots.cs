using RnnGpu.Training;
using ScottPlot;

namespace RnnGpu.Examples.Shared;

/// <summary>PNG plots of training runs, drawn with ScottPlot.</summary>
public static class Plots
{
    private const int Width = 800, Height = 500;

    /// <summary>
    /// Writes <c>{prefix}loss.png</c> and, when accuracy was tracked, <c>{prefix}accuracy.png</c>: one line per epoch
    /// for training and, when present, validation. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> SaveTrainingCurves(History history, string outDir, string prefix = "", string? title = null)
    {
        var written = new List<string>();
        foreach (string metric in new[] { "loss", "accuracy" })
        {
            if (!history.Contains(metric)) continue;
            var plot = new Plot();
            AddSeries(plot, history[metric], "training");
            if (history.Contains("val_" + metric)) AddSeries(plot, history["val_" + metric], "validation");
            plot.Title(title is null ? metric : $"{title}: {metric}");
            plot.XLabel("epoch");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.YLabel(metric);
            // Loss falls and accuracy rises: keep the legend in the corner the curves leave free.
            plot.ShowLegend(metric == "loss" ? Alignment.UpperRight : Alignment.LowerRight);
            string path = Path.Combine(outDir, $"{prefix}{metric}.png");
            plot.SavePng(path, Width, Height);
            written.Add(path);
        }
        return written;
    }

    /// <summary>Writes a line plot of one or more named series against their index (1-based), for metrics not in a <see cref="History"/>.</summary>
    public static string SaveLines(string path, string title, string xLabel, string yLabel, params (string Name, IReadOnlyList<double> Values)[] series)
    {
        var plot = new Plot();
        foreach (var (name, values) in series) AddSeries(plot, values, name);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        plot.SavePng(path, Width, Height);
        return path;
    }

    /// <summary>Writes a confusion-matrix heatmap (rows: actual class, columns: predicted class) with the count in every cell.</summary>
    public static string SaveConfusionMatrix(int[,] matrix, IReadOnlyList<string> classNames, string path, string title = "Confusion matrix")
    {
        int n = matrix.GetLength(0);
        var intensities = new double[n, n];
        int max = 1;
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                intensities[r, c] = matrix[r, c];
                max = Math.Max(max, matrix[r, c]);
            }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);

        // The heatmap draws row 0 at the top with cells centred on integer coordinates, so row r sits at y = n - 1 - r.
        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        string[] names = [.. Enumerable.Range(0, n).Select(i => i < classNames.Count ? classNames[i] : i.ToString())];
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks([.. positions.Select(p => n - 1 - p)], names);
        if (n > 12)
        {
            // Many class names side by side overlap: stand them upright.
            plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 140;
        }
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                // Large matrices label only the non-empty cells, or the numbers hide the colours.
                if (n > 12 && matrix[r, c] == 0) continue;
                var label = plot.Add.Text(matrix[r, c].ToString(), c, n - 1 - r);
                label.LabelAlignment = Alignment.MiddleCenter;
                label.LabelFontSize = n > 12 ? 7 : 12;
                // Light text on the dark end of the colour map, dark text on the light end.
                label.LabelFontColor = matrix[r, c] > max * 0.6 ? Colors.Black : Colors.White;
            }
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("actual");
        int size = n > 12 ? 1400 : 900;
        plot.SavePng(path, size, size - 100);
        return path;
    }

    private static void AddSeries(Plot plot, IReadOnlyList<double> values, string name)
    {
        if (values.Count == 0) return;
        double[] xs = [.. Enumerable.Range(1, values.Count).Select(i => (double)i)];
        var scatter = plot.Add.Scatter(xs, values.ToArray());
        scatter.LegendText = name;
    }
}
