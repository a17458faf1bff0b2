using System.Globalization;
using System.Text;
using RnnGpu.Bench.Configs;

namespace RnnGpu.Bench.Report;

/// <summary>
/// The <c>report</c> subcommand: joins BenchmarkDotNet exports, events files and baseline JSON found under a results
/// directory into one Markdown table per device.
/// </summary>
public static class ReportCommand
{
    private const string Usage = """
        RnnGpu.Bench report --results DIR [--peak-cpu-gflops X] [--peak-gpu-gflops Y] [--out FILE]
          --results DIR        searched recursively: *-report-full.json (BenchmarkDotNet), run-info.json,
                               and any *.json in the shared timing format (baseline.py, events)
          --peak-cpu-gflops X  the CPU's FP32 peak for the % column; default: the FMA peak the run measured at
                               its thread count (run-info.json, events), since boost clocks make cores × base GHz ×
                               FLOP/cycle too low (2-core Zen 5 VM: 333 nominal, ~520 measured)
          --peak-gpu-gflops Y  the GPU's FP32 peak, default 67000 (H100 SXM, non-tensor FP32; H100 PCIe ≈ 51000)
          --out FILE           default DIR/report.md
          --note TEXT          a line for the header (repeatable), e.g. how loaded the machine was
        """;

    /// <summary>Runs the subcommand.</summary>
    public static int Run(string[] args)
    {
        string? dir = null, output = null;
        var notes = new List<string>();
        double? cpuPeak = null;
        double gpuPeak = 67_000;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--results": dir = Next(); break;
                case "--out": output = Next(); break;
                case "--note": notes.Add(Next()); break;
                case "--peak-cpu-gflops": cpuPeak = OptionValues.Positive("--peak-cpu-gflops", Next()); break;
                case "--peak-gpu-gflops": gpuPeak = OptionValues.Positive("--peak-gpu-gflops", Next()); break;
                case "--help" or "-h": Console.WriteLine(Usage); return 0;
                default: Console.Error.WriteLine($"Unknown report option '{args[i]}'.\n{Usage}"); return 2;
            }
        }
        if (dir is null || !Directory.Exists(dir))
        {
            Console.Error.WriteLine($"--results must name an existing directory.\n{Usage}");
            return 2;
        }
        output ??= Path.Combine(dir, "report.md");

        var measurements = new List<Measurement>();
        double? measuredCpuPeak = null;
        var headers = new List<string>();
        foreach (string file in Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(file);
            if (name.EndsWith("-report-full.json", StringComparison.Ordinal))
                measurements.AddRange(BenchmarkDotNetResults.Read(file));
            else if (name == RunInfo.FileName && RunInfo.TryLoad(file) is { } info)
            {
                measuredCpuPeak ??= info.CpuFmaPeakGflops;
                headers.Add($"- Suite run ({Path.GetRelativePath(dir, file)}): {info.Date}, {info.Host}; {info.Threads} threads; job {info.Job}; " +
                            $"CPU set `{info.CpuSet}`, GPU set `{info.GpuSet}`; GPU: {info.GpuBackend ?? "none (" + info.GpuSkipReason + ")"}; " +
                            $"TorchSharp {info.TorchSharpVersion ?? "-"}, libtorch {info.LibTorchVersion ?? "-"}; " +
                            (info.CpuFmaPeakGflops is double peak ? $"measured CPU FMA peak {peak:F0} GFLOP/s; " : "") +
                            $"command `{info.Command}`");
            }
            else if (TimingFile.TryRead(file) is { } timing)
            {
                if (timing.Meta.TryGetValue("cpu_fma_peak_gflops", out string? fma))
                    measuredCpuPeak ??= double.Parse(fma, CultureInfo.InvariantCulture);
                measurements.AddRange(timing.Results);
                headers.Add($"- {Path.GetRelativePath(dir, file)}: " + string.Join("; ", timing.Meta.Select(p => $"{p.Key} {p.Value}")));
            }
        }

        var text = new StringBuilder();
        text.AppendLine($"# RnnGpu benchmark report ({DateTime.UtcNow:yyyy-MM-dd})").AppendLine();
        foreach (var note in notes) text.AppendLine($"> {note}").AppendLine();
        text.AppendLine("Sources:").AppendLine();
        foreach (var h in headers) text.AppendLine(h);
        text.AppendLine();
        text.AppendLine("Times are means per call in ms. Ratio = baseline time / ours: above 1 means we are faster. " +
                        "GFLOP/s counts GEMM FLOPs: forward 2·B·T·(I+H)·G·H per layer, training step 3× forward.").AppendLine();
        if (measurements.Any(m => m.Impl.StartsWith("ours-events-", StringComparison.Ordinal)))
            text.AppendLine("Columns ours-events-cublas / -fused are our GPU backend with the per-step recurrent product forced to " +
                            "cuBLAS or into the step kernel (-direct: CUDA graphs off), -persistent with each layer's time loop " +
                            "as one cooperative launch, -tf32 with cuBLAS's float32 GEMMs on TF32 " +
                            "tensor cores; a ratio below 1 there means that way beats our default (auto, graphs on, TF32 off). " +
                            $"Where both TF32 runs exist, the column \"{Tf32Pair.Baseline} / {Tf32Pair.Ours}\" compares TF32 with TF32.").AppendLine();
        foreach (var device in new[] { "cpu", "gpu" })
        {
            var rows = measurements.Where(m => m.Device == device).ToList();
            if (rows.Count == 0) continue;
            var (peak, peakSource) = device == "gpu" ? (gpuPeak, "--peak-gpu-gflops")
                : cpuPeak is not null ? (cpuPeak, "--peak-cpu-gflops")
                : (measuredCpuPeak, "measured: the run's threads on independent FMA chains at the widest vector width");
            AppendTable(text, device, rows, peak, peakSource, Path.GetDirectoryName(Path.GetFullPath(output))!);
        }
        File.WriteAllText(output, text.ToString());
        Console.WriteLine($"Wrote {output} ({measurements.Count} measurements).");
        return 0;
    }

    /// <summary>
    /// Our TF32 run and the baseline's: every other ratio is against our float32 default, so TF32 gets a column of its
    /// own, cuDNN with TF32 over ours with TF32.
    /// </summary>
    private static readonly (string Baseline, string Ours) Tf32Pair = ("cudnn-tf32", "ours-events-tf32");

    private static void AppendTable(StringBuilder text, string device, List<Measurement> rows, double? peakGflops, string peakSource,
        string chartDir)
    {
        // Our own time: the BenchmarkDotNet run when there is one, else the events run.
        string[] baselines = [.. rows.Select(r => r.Impl).Where(i => i is not ("ours" or "ours-events")).Distinct().Order(StringComparer.Ordinal)];
        text.AppendLine($"## {device.ToUpperInvariant()}").AppendLine();
        text.AppendLine(peakGflops is double p
            ? $"Peak FP32 used for %: {p.ToString("F0", CultureInfo.InvariantCulture)} GFLOP/s ({peakSource}).\n"
            : "No peak given (--peak-cpu-gflops) or measured, so no % of peak.\n");
        var header = new StringBuilder("| Configuration | Mode | GFLOP | Ours (ms) |");
        var rule = new StringBuilder("|---|---|---:|---:|");
        foreach (var b in baselines) { header.Append($" {b} (ms) | ratio |"); rule.Append("---:|---:|"); }
        bool tf32Pair = baselines.Contains(Tf32Pair.Baseline) && baselines.Contains(Tf32Pair.Ours);
        if (tf32Pair) { header.Append($" {Tf32Pair.Baseline} / {Tf32Pair.Ours} |"); rule.Append("---:|"); }
        header.Append(" Ours GFLOP/s | % peak |");
        rule.Append("---:|---:|");
        text.AppendLine(header.ToString()).AppendLine(rule.ToString());

        var order = BenchConfigs.All.Select((c, i) => (c.Name, i)).ToDictionary(x => x.Name, x => x.i);
        var keys = rows.Select(r => (r.Config, r.Mode)).Distinct()
            .OrderBy(k => order.GetValueOrDefault(k.Config, int.MaxValue)).ThenBy(k => k.Mode, StringComparer.Ordinal).ToList();
        double? TimeOf((string Config, string Mode) key, string impl) =>
            rows.FirstOrDefault(r => r.Config == key.Config && r.Mode == key.Mode && r.Impl == impl)?.MeanMs;
        double? Ours((string Config, string Mode) key) => TimeOf(key, "ours") ?? TimeOf(key, "ours-events");
        foreach (var key in keys)
        {
            double? ours = Ours(key);
            var config = BenchConfigs.All.FirstOrDefault(c => c.Name == key.Config);
            double? flops = config is null ? null : key.Mode == "training" ? config.TrainingFlops : config.ForwardFlops;
            var line = new StringBuilder($"| {key.Config} | {key.Mode} | {Fmt(flops / 1e9, "G4")} | {Fmt(ours, "F3")} |");
            foreach (var b in baselines) line.Append($" {Fmt(TimeOf(key, b), "F3")} | {Fmt(TimeOf(key, b) / ours, "F2")} |");
            if (tf32Pair) line.Append($" {Fmt(TimeOf(key, Tf32Pair.Baseline) / TimeOf(key, Tf32Pair.Ours), "F2")} |");
            double? gflops = flops / (ours * 1e6);
            line.Append($" {Fmt(gflops, "F1")} | {Fmt(gflops / peakGflops * 100, "F1")} |");
            text.AppendLine(line.ToString());
        }
        text.AppendLine();

        // A summary and a chart per float32 baseline (our other modes and the TF32 runs are comparisons of their own, in
        // the table).
        foreach (var b in baselines.Where(b => !b.StartsWith("ours", StringComparison.Ordinal) && !b.Contains("tf32", StringComparison.Ordinal)))
        {
            var entries = keys.Select(k => new RatioChart.Entry(k.Config, k.Mode, (TimeOf(k, b) / Ours(k)) ?? double.NaN)).ToList();
            foreach (var mode in new[] { "training", "inference" })
                if (Summary(entries.Where(e => e.Mode == mode).Select(e => e.Ratio)) is { } summary)
                    text.AppendLine($"- {mode} against {b}: {summary}");
            text.AppendLine();
            string file = $"ratios-{device}-{b}.png";
            try
            {
                if (RatioChart.Save(Path.Combine(chartDir, file), $"{device.ToUpperInvariant()}: {b} / ours", b, entries))
                    text.AppendLine($"![{device.ToUpperInvariant()} ratios, {b} time / ours]({file})").AppendLine();
            }
            catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or IOException)
            {
                // A machine without the chart's native drawing library still gets its tables.
                Console.Error.WriteLine($"warning: no chart {file}: {e.GetBaseException().Message.Split('\n')[0]}");
            }
        }
    }

    /// <summary>
    /// How many of the ratios are at least 1, their geometric mean (the mean that treats 2× and 0.5× as opposites) and
    /// range; null when there are none.
    /// </summary>
    private static string? Summary(IEnumerable<double> ratios)
    {
        var r = ratios.Where(x => double.IsFinite(x) && x > 0).ToList();
        if (r.Count == 0) return null;
        double geometricMean = Math.Exp(r.Average(Math.Log));
        // A ratio below 1 that two decimals would round up to 1.00 gets four, so that the range agrees with the count.
        double low = r.Min();
        string lowText = low.ToString(low < 1 && Math.Round(low, 2) >= 1 ? "F4" : "F2", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"ours as fast or faster (ratio ≥ 1) in {r.Count(x => x >= 1)} of {r.Count} configurations; " +
            $"geometric mean ratio {geometricMean:F2}, range {lowText}–{r.Max():F2}");
    }

    private static string Fmt(double? value, string format) =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "—";
}
