using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RnnGpu.Bench.Configs;
using RnnGpu.Bench.Timing;

namespace RnnGpu.Bench.Gemm;

/// <summary>
/// The <c>gemm</c> subcommand: each product of a configuration's training step (<see cref="GemmShape.Of"/>) timed on
/// our CPU GEMM and, in the same rounds, on libtorch's (MKL behind <c>addmm_</c>), with the same thread count. It
/// separates the GEMM part of a CPU ratio from the rest (the cell, the memory traffic, the per-call work).
/// </summary>
public static class GemmCommand
{
    /// <summary>What <c>gemm --help</c> prints.</summary>
    public const string Usage = """
        gemm [--seconds S] [--rounds R]
          Times the five matrix products of the first layer of every --cpu-set configuration (input projection, one
          step's recurrent product, one step's state gradient, the two weight gradients; each with the whole batch in
          one call) on our CPU GEMM and on libtorch's, both with --threads threads. After a JIT warm-up of at least 2 s,
          each product runs R rounds (default 5) of ours then libtorch, about S seconds per side in all (default 0.5),
          every call timed on its own; the medians give the ratio (libtorch / ours, above 1 means ours is faster).
          Writes <--out>/gemm-cpu.md and gemm-cpu.json (which `report` leaves alone).
        """;

    /// <summary>Runs it; <paramref name="args"/>: [--seconds S] [--rounds R].</summary>
    public static int Run(BenchOptions options, string[] args)
    {
        double seconds = 0.5;
        int rounds = 5;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--seconds": seconds = OptionValues.Positive("--seconds", Next()); break;
                case "--rounds": rounds = OptionValues.Int("--rounds", Next(), min: 1); break;
                default: throw new ArgumentException($"Unknown gemm option '{args[i]}'.");
            }
        }

        var shapes = BenchConfigs.Select(options.CpuSet).SelectMany(GemmShape.Of).ToList();
        int threads = options.Threads;
        double peak = CpuFmaPeak.MeasureGflops(threads);
        Console.WriteLine($"{shapes.Count} products, {threads} thread(s), measured FMA peak {peak:F0} GFLOP/s");
        WarmUp(shapes, threads);

        var rows = new List<JsonObject>();
        foreach (var shape in shapes)
        {
            using var ours = new OursGemm(shape, threads);
            var oursTimes = new List<double>();
            var packedTimes = new List<double>();
            var torchTimes = new List<double>();
            Action? packed = ours.RunPacked, libtorch = null;
#if TORCHSHARP
            TorchSharp.torch.set_num_threads(threads);
            using var torch = new TorchSharpBaseline.TorchGemm(shape);
            libtorch = torch.Run;
#endif
            int calls = CallsPerRound(ours.Run, seconds, rounds);
            for (int round = 0; round < rounds; round++)
            {
                Time(ours.Run, calls, oursTimes);
                if (packed is not null) Time(packed, calls, packedTimes);
                if (libtorch is not null) Time(libtorch, calls, torchTimes);
            }
            double oursMs = Median(oursTimes);
            double? torchMs = torchTimes.Count > 0 ? Median(torchTimes) : null;
            double? packedMs = packedTimes.Count > 0 ? Median(packedTimes) : null;
            Console.WriteLine($"{shape.Config,-22} {shape.Role,-34} {shape.Layout} {shape.M,5}×{shape.N,-5}×{shape.K,-6} " +
                $"ours {oursMs,8:F3} ms {shape.Flops / oursMs / 1e6,5:F0} GF/s" +
                (packedMs is double p ? $" (B packed once {p:F3} ms {shape.Flops / p / 1e6:F0} GF/s)" : "") +
                (torchMs is double t ? $"   libtorch {t,8:F3} ms {shape.Flops / t / 1e6,5:F0} GF/s   ratio {t / oursMs:F2}" : ""));
            rows.Add(new JsonObject
            {
                ["config"] = shape.Config, ["role"] = shape.Role, ["layout"] = shape.Layout,
                ["m"] = shape.M, ["n"] = shape.N, ["k"] = shape.K, ["calls"] = oursTimes.Count,
                ["ours_median_ms"] = oursMs, ["ours_min_ms"] = oursTimes.Min(), ["ours_packed_median_ms"] = packedMs,
                ["libtorch_median_ms"] = torchMs, ["libtorch_min_ms"] = torchTimes.Count > 0 ? torchTimes.Min() : null,
            });
        }

        string dir = options.ResolvedOutputDirectory;
        Directory.CreateDirectory(dir);
        var meta = new JsonObject
        {
            ["tool"] = "RnnGpu.Bench gemm",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["host"] = MachineInfo.Describe(),
            ["threads"] = threads,
            ["cpu_fma_peak_gflops"] = Math.Round(peak),
            ["command"] = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        };
        File.WriteAllText(Path.Combine(dir, "gemm-cpu.json"),
            new JsonObject { ["meta"] = meta, ["gemm"] = new JsonArray([.. rows]) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(dir, "gemm-cpu.md"), Markdown(shapes, rows, meta, peak));
        Console.WriteLine($"Wrote {Path.Combine(dir, "gemm-cpu.md")} and gemm-cpu.json");
        return 0;
    }

    /// <summary>Every product of ours in rounds for at least 2 s, so its code is optimised before any timing (see <see cref="JitWarmup"/>).</summary>
    private static void WarmUp(List<GemmShape> shapes, int threads)
    {
        var products = shapes.Select(s => new OursGemm(s, threads)).ToList();
        JitWarmup.Run(() => products.ForEach(p => p.Run()));
        products.ForEach(p => p.Dispose());
    }

    /// <summary>Calls per side per round so that all rounds take about <paramref name="seconds"/> per side (10 to 2,000).</summary>
    private static int CallsPerRound(Action run, double seconds, int rounds)
    {
        var clock = Stopwatch.StartNew();
        int calls = 0;
        do { run(); calls++; } while (clock.Elapsed.TotalSeconds < 0.05);
        double perCall = clock.Elapsed.TotalSeconds / calls;
        return (int)Math.Clamp(seconds / rounds / perCall, 10, 2000);
    }

    private static void Time(Action run, int calls, List<double> milliseconds)
    {
        for (int i = 0; i < calls; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            milliseconds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Markdown(List<GemmShape> shapes, List<JsonObject> rows, JsonObject meta, double peak)
    {
        var text = new StringBuilder();
        text.AppendLine("# CPU GEMM: ours vs libtorch on the products of a training step").AppendLine();
        text.AppendLine($"{meta["date"]}, {meta["host"]}; {meta["threads"]} thread(s) on each side; measured FMA peak {peak:F0} GFLOP/s; " +
                        $"command `{meta["command"]}`.").AppendLine();
        text.AppendLine("Median of every call's time; ratio = libtorch / ours (above 1: ours is faster); % = share of the measured peak. " +
                        "The step rows also give ours with the recurrent kernel packed once, as the engine's time loops run them " +
                        "(the ratio compares the unpacked product, like for like with `addmm_`).").AppendLine();
        foreach (var group in shapes.Zip(rows).GroupBy(p => p.First.Config))
        {
            text.AppendLine($"## {group.Key}").AppendLine();
            text.AppendLine("| product | layout | M × N × K | ours ms | GFLOP/s | % | ours, U packed once: ms | GFLOP/s | libtorch ms | GFLOP/s | % | ratio |");
            text.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var (shape, row) in group)
            {
                double ours = (double)row["ours_median_ms"]!;
                double? torch = (double?)row["libtorch_median_ms"];
                double? packed = (double?)row["ours_packed_median_ms"];
                string Rate(double ms) => $"{shape.Flops / ms / 1e6:F0} | {100 * shape.Flops / ms / 1e6 / peak:F0}";
                text.AppendLine($"| {shape.Role} | {shape.Layout} | {shape.M} × {shape.N} × {shape.K} | {ours:F3} | {Rate(ours)} | " +
                                (packed is double p ? $"{p:F3} | {shape.Flops / p / 1e6:F0} | " : "- | - | ") +
                                (torch is double t ? $"{t:F3} | {Rate(t)} | {t / ours:F2} |" : "- | - | - | - |"));
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
