using System.Globalization;
using ScottPlot;

namespace RnnGpu.Bench.Report;

/// <summary>
/// A report's ratios against one baseline as a PNG bar chart (ScottPlot): one horizontal bar per configuration and
/// mode, on a log₂ scale centred on 1, so "twice as fast" and "half as fast" are bars of the same length on either
/// side of the line, and a 43× ratio does not flatten every other bar.
/// </summary>
public static class RatioChart
{
    private const int Width = 1000, RowHeight = 22, Margins = 140;

    private static readonly Color Training = new(31, 119, 180), Inference = new(255, 127, 14);

    /// <summary>One bar: a configuration, its mode (training or inference) and baseline time / ours.</summary>
    public readonly record struct Entry(string Config, string Mode, double Ratio);

    /// <summary>
    /// Writes the chart of <paramref name="entries"/> (top to bottom in the given order; ratios that are not positive
    /// and finite are left out) to <paramref name="path"/>. Returns false, writing nothing, when no entry has a ratio.
    /// </summary>
    public static bool Save(string path, string title, string baseline, IReadOnlyList<Entry> entries)
    {
        var shown = entries.Where(e => double.IsFinite(e.Ratio) && e.Ratio > 0).ToList();
        if (shown.Count == 0) return false;

        var plot = new Plot();
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int i = 0; i < shown.Count; i++)
        {
            var (config, mode, ratio) = shown[i];
            double y = shown.Count - 1 - i;
            bars.Add(new Bar
            {
                Position = y,
                Value = Math.Log2(ratio),
                ValueBase = 0,
                Size = 0.8,
                FillColor = mode == "training" ? Training : Inference,
                LineWidth = 0,
                Label = ratio.ToString(ratio < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture),
            });
            ticks.Add(new Tick(y, $"{config} · {mode}", isMajor: true));
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 11;

        // Whole powers of two as the ratio axis, covering every bar and 1.
        double lo = Math.Floor(Math.Min(0, bars.Min(b => b.Value))), hi = Math.Ceiling(Math.Max(0, bars.Max(b => b.Value)));
        var powers = new List<Tick>();
        for (double k = lo; k <= hi; k++) powers.Add(new Tick(k, Math.Pow(2, k).ToString("0.###", CultureInfo.InvariantCulture), isMajor: true));
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. powers]);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        plot.Axes.SetLimits(lo - 0.25, hi + 0.6, -0.7, shown.Count - 0.3);
        plot.Add.VerticalLine(0, 1.5f, Colors.Black);

        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "training step", FillColor = Training });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "inference", FillColor = Inference });
        plot.ShowLegend(Edge.Bottom);
        plot.Title(title);
        plot.XLabel($"{baseline} time / ours (log scale; right of 1: we are faster)");
        plot.SavePng(path, Width, Margins + RowHeight * shown.Count);
        return true;
    }
}
