using System.Globalization;
using System.Text.Json.Nodes;
using RnnGpu.Backends;
using RnnGpu.Bench.Configs;
using RnnGpu.Bench.Ours;
using RnnGpu.Bench.Report;
using RnnGpu.Bench.Timing;

namespace RnnGpu.Bench;

/// <summary>
/// The <c>events</c> subcommand: our backend timed the way baseline.py times PyTorch (warm-up runs, then each timed run
/// bracketed by an <see cref="IDeviceTimer"/>), written in the shared results format as impl "ours-events" (on the GPU
/// with non-default settings "ours-events-cublas", "ours-events-fused", "ours-events-persistent", "-direct" for graphs off, "-tf32": see <see cref="ImplName"/>).
/// </summary>
public static class EventsCommand
{
    /// <summary>What <c>events --help</c> prints.</summary>
    public const string Usage = """
        events [--device gpu|cpu] [--warmup N] [--warmup-seconds S] [--runs N] [--profile N]
          Times our backend per call like bench/torch/baseline.py: N warm-up calls (and at least S seconds of them), then
          N timed calls, each bracketed by CUDA events on the GPU (a stopwatch on the CPU). Default: --device gpu when a
          GPU is usable, else cpu; --warmup 10 --runs 100; --warmup-seconds 2 on the CPU, 0 on the GPU. Configurations
          come from --gpu-set / --cpu-set, threads from --threads; the results go to <--out>/ours-events-<device>.json for
          the report step. Before the first configuration, every configuration runs in rounds for at least 2 s, so that
          the JIT has optimised the hot code (tiered compilation recompiles a method in the background only after 30
          calls and a pause in new compilation) before any timing starts; the CPU's warm-up time per configuration
          then lets caches and clocks settle.
          --profile N (GPU): after the timed runs, N more calls with every GEMM and kernel timed between its own CUDA
          events; where a call's time goes (GEMMs, kernels, and the idle gaps that are launch overhead) is printed and
          written to <--out>/ops-profile-gpu.md.
        """;

    /// <summary>
    /// "ours-events", with the GPU backend's settings appended where they are not the defaults, so that runs of the
    /// different ways land in one report as columns of their own: "-cublas", "-fused" or "-persistent" for
    /// <see cref="RnnGpu.Cuda.CudaBackend.RecurrentSteps"/>, "-direct" for <see cref="RnnGpu.Cuda.CudaBackend.StepGraphs"/> off,
    /// "-tf32" for <see cref="RnnGpu.Cuda.CudaBackend.AllowsTf32"/> (the report pairs that column with cuDNN's TF32 run).
    /// </summary>
    public static string ImplName(IBackend backend)
    {
        if (backend is not RnnGpu.Cuda.CudaBackend cuda) return "ours-events";
        string steps = cuda.RecurrentSteps == RnnGpu.Cuda.RecurrentStepMode.Auto ? "" : "-" + cuda.RecurrentSteps.ToString().ToLowerInvariant();
        return "ours-events" + steps + (cuda.StepGraphs ? "" : "-direct") + (cuda.AllowsTf32 ? "-tf32" : "");
    }

    /// <summary>Runs it; <paramref name="args"/>: [--device gpu|cpu] [--warmup N] [--runs N] (see <see cref="Usage"/>).</summary>
    public static int Run(BenchOptions options, string? gpuSkip, string[] args)
    {
        string device = gpuSkip is null ? "gpu" : "cpu";
        bool deviceGiven = false;
        int warmup = 10, runs = 100;
        double? warmupSeconds = null;
        int profileRuns = 0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--device":
                    device = Next();
                    deviceGiven = true;
                    if (device is not ("gpu" or "cpu")) throw new ArgumentException($"--device must be gpu or cpu, not '{device}'.");
                    break;
                case "--warmup": warmup = OptionValues.Int("--warmup", Next(), min: 0); break;
                case "--warmup-seconds": warmupSeconds = OptionValues.Positive("--warmup-seconds", Next()); break;
                case "--runs": runs = OptionValues.Int("--runs", Next(), min: 1); break;
                case "--profile": profileRuns = OptionValues.Int("--profile", Next(), min: 0); break;
                default: throw new ArgumentException($"Unknown events option '{args[i]}'.");
            }
        }
        if (!deviceGiven && gpuSkip is not null) Console.WriteLine($"No usable GPU ({gpuSkip}): timing the CPU backend.");
        if (device == "gpu" && gpuSkip is not null)
        {
            Console.WriteLine($"events --device gpu skipped: {gpuSkip}");
            return 0;
        }

        using IBackend backend = device == "gpu" ? OursGpu.CreateCudaBackend() : new CpuBackend<float>(options.Threads);
        using var timer = DeviceTimers.Create(backend);
        string impl = ImplName(backend);
        var results = new List<JsonObject>();
        var profiles = new OpProfileReport(backend.Name);
        var configs = BenchConfigs.Select(device == "gpu" ? options.GpuSet : options.CpuSet).ToList();
        var (rounds, elapsed) = JitWarmup.Run(backend, configs);
        Console.WriteLine($"JIT warm-up: {rounds} round(s) over the configurations, {elapsed.TotalSeconds:F1} s");
        foreach (var config in configs)
        {
            using var stack = new OursRecurrentStack(backend, config);
            foreach (var (mode, run) in new (string, Action)[] { ("inference", stack.Inference), ("training", stack.TrainingStep) })
            {
                var warming = System.Diagnostics.Stopwatch.StartNew();
                var minimumWarmup = TimeSpan.FromSeconds(warmupSeconds ?? (device == "cpu" ? 2 : 0));
                for (int i = 0; i < warmup || warming.Elapsed < minimumWarmup; i++) run();
                var ms = new double[runs];
                for (int i = 0; i < runs; i++)
                {
                    timer.Start();
                    run();
                    ms[i] = timer.Stop().TotalMilliseconds;
                }
                Array.Sort(ms);
                double mean = ms.Average();
                double std = Math.Sqrt(ms.Sum(x => (x - mean) * (x - mean)) / Math.Max(1, runs - 1));
                var graphs = backend is RnnGpu.Cuda.CudaBackend g
                    ? $"  CUDA graphs captured/replayed so far {g.StepGraphStatistics.Captured}/{g.StepGraphStatistics.Replayed}, persistent loops {g.PersistentLoops}"
                    : "";
                Console.WriteLine($"{config.Name,-28} {mode,-9} mean {mean,10:F3} ms  median {ms[runs / 2],10:F3} ms{graphs}");
                results.Add(new JsonObject
                {
                    ["config"] = config.Name, ["mode"] = mode, ["device"] = device, ["impl"] = impl,
                    ["mean_ms"] = mean, ["median_ms"] = ms[runs / 2], ["min_ms"] = ms[0], ["std_ms"] = std,
                    ["runs"] = runs, ["warmup"] = warmup,
                });
                if (profileRuns > 0 && backend is RnnGpu.Cuda.CudaBackend cuda)
                {
                    using var profiler = cuda.StartOpProfile();
                    for (int i = 0; i < profileRuns; i++) run();
                    var section = profiles.Add($"{config.Name} {mode}", profiler.Stop(), profileRuns, ms[runs / 2]);
                    Console.Write(section);
                }
            }
        }

        var meta = new Dictionary<string, string>
        {
            ["tool"] = "RnnGpu.Bench events",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["device"] = backend.Name,
            ["host"] = MachineInfo.Describe(),
            ["timer"] = timer.Method,
            ["threads"] = options.Threads.ToString(CultureInfo.InvariantCulture),
        };
        if (device == "cpu")
            meta["cpu_fma_peak_gflops"] = Timing.CpuFmaPeak.MeasureGflops(options.Threads).ToString("F0", CultureInfo.InvariantCulture);
        if (backend is RnnGpu.Cuda.CudaBackend steps)
        {
            meta["recurrent_steps"] = steps.RecurrentSteps.ToString().ToLowerInvariant();
            meta["step_graphs"] = steps.StepGraphs ? "on" : "off: " + (steps.StepGraphsDisabledReason ?? "by option");
            meta["tf32"] = steps.AllowsTf32 ? "on (cuBLAS float32 GEMMs on TF32 tensor cores)" : "off";
        }
        string path = Path.Combine(options.ResolvedOutputDirectory, $"ours-events-{device}.json");
        TimingFile.Write(path, meta, results);
        Console.WriteLine($"Wrote {path}");
        if (profiles.Count > 0)
        {
            string profilePath = Path.Combine(options.ResolvedOutputDirectory, $"ops-profile-{device}.md");
            File.WriteAllText(profilePath, profiles.ToMarkdown());
            Console.WriteLine($"Wrote {profilePath}");
        }
        else if (profileRuns > 0) Console.WriteLine("--profile: op profiles are for the GPU backend only; none written.");
        return 0;
    }
}
