using RnnGpu.Backends.Cpu;
using RnnGpu.Bench.Configs;
using RnnGpu.Cuda;

namespace RnnGpu.Bench;

/// <summary>
/// The suite's own options, taken off the command line before the rest goes to BenchmarkDotNet. Static because the
/// in-process toolchain runs the benchmark classes in this process and BenchmarkDotNet creates them itself.
/// </summary>
public sealed class BenchOptions
{
    /// <summary>The options of this run.</summary>
    public static BenchOptions Current { get; set; } = new();

    /// <summary>short (few iterations, for noisy or shared machines) or full (BenchmarkDotNet's adaptive default).</summary>
    public string Job { get; set; } = "short";

    /// <summary>Configurations the CPU benchmarks run (see <see cref="BenchConfigs.Select"/>); small suits a 2-core machine.</summary>
    public string CpuSet { get; set; } = "small";

    /// <summary>Configurations the GPU benchmarks run.</summary>
    public string GpuSet { get; set; } = "all";

    /// <summary>Threads for our CPU backend and for TorchSharp (torch.set_num_threads).</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// How our CPU backend shares a recurrent layer's time loop among threads: null lets each call choose (the
    /// default), else by batch rows or by hidden units for every call, to compare the two on the same shapes.
    /// </summary>
    internal RecurrentSplitKind? CpuSplit { get; set; }

    /// <summary>How our GPU backend gets each timestep's recurrent product (<see cref="CudaBackend.RecurrentSteps"/>).</summary>
    public RecurrentStepMode RecurrentSteps { get; set; } = RecurrentStepMode.Auto;

    /// <summary>Whether our GPU backend replays repeating fused time loops as CUDA graphs (<see cref="CudaBackend.StepGraphs"/>).</summary>
    public bool StepGraphs { get; set; } = true;

    /// <summary>Whether our GPU backend lets cuBLAS run float32 GEMMs on TF32 tensor cores (the allowTf32 of <see cref="Device.Gpu"/>).</summary>
    public bool Tf32 { get; set; }

    /// <summary>Where results go; default results/&lt;date&gt;-&lt;machine&gt; under the current directory.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>The directory results go to.</summary>
    public string ResolvedOutputDirectory =>
        OutputDirectory ?? Path.Combine("results", $"{DateTime.UtcNow:yyyy-MM-dd}-{MachineInfo.ShortName}");

    /// <summary>Usage text of the suite's own options.</summary>
    public const string Usage = """
        RnnGpu.Bench [suite options] [BenchmarkDotNet options, e.g. --filter *Lstm* --list flat]
        RnnGpu.Bench events [suite options]      GPU/CPU timing through IDeviceTimer, 10 warm-up + 100 timed runs, JSON
        RnnGpu.Bench gemm [suite options]        CPU GEMM, ours vs libtorch, on the products of each --cpu-set training step
        RnnGpu.Bench kernels [--arch N]          ptxas's registers / shared memory / spills of every kernel (NVRTC only)
        RnnGpu.Bench report [report options]     Markdown tables from BenchmarkDotNet and baseline JSON (see --help there)

        Suite options:
          --job short|full       short: 1 launch, 3 warm-up, 3 measured iterations (default); full: adaptive
          --cpu-set SET          CPU configurations: small (default), medium, all, a group, or name,name,...
          --gpu-set SET          GPU configurations (default all)
          --threads N            threads of our CPU backend and of TorchSharp (default: all cores)
          --cpu-split S          how our CPU backend shares a layer's time loop: auto (default), batch or units
          --recurrent-steps M    our GPU backend's per-step recurrent product: auto (default), cublas, fused, or
                                 persistent (fused, each time loop one cooperative launch)
          --step-graphs on|off   replay repeating fused time loops as CUDA graphs (default on)
          --tf32 on|off          let cuBLAS run our GPU backend's float32 GEMMs on TF32 tensor cores (default off)
          --out DIR              results directory (default results/<date>-<machine>)
        Benchmark classes: OursCpu, OursGpu, TorchSharpCpu (filter by class, e.g. --filter *OursCpu*,
        by method: Inference, TrainingStep, or by configuration name in the parameter column). The CPU classes run
        one configuration at a time, ours then libtorch (results in <out>/bdn/cpu/<configuration>/), after a JIT
        warm-up of at least 2 s over every selected configuration.
        """;

    /// <summary>Takes the suite's options out of <paramref name="args"/> and returns what is left.</summary>
    public static (BenchOptions Options, string[] Remaining) Parse(string[] args)
    {
        var o = new BenchOptions();
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--job": o.Job = Next().ToLowerInvariant(); break;
                case "--cpu-set": o.CpuSet = Next(); break;
                case "--gpu-set": o.GpuSet = Next(); break;
                case "--threads": o.Threads = OptionValues.Int("--threads", Next(), min: 1); break;
                case "--out": o.OutputDirectory = Next(); break;
                case "--cpu-split":
                    string split = Next();
                    o.CpuSplit = split is "auto" ? null
                        : Enum.TryParse<RecurrentSplitKind>(split, ignoreCase: true, out var kind) && Enum.IsDefined(kind) ? kind
                        : throw new ArgumentException($"--cpu-split must be auto, batch or units, not '{split}'.");
                    break;
                case "--step-graphs": o.StepGraphs = OnOff("--step-graphs", Next()); break;
                case "--tf32": o.Tf32 = OnOff("--tf32", Next()); break;
                case "--recurrent-steps":
                    string mode = Next();
                    o.RecurrentSteps = Enum.TryParse<RecurrentStepMode>(mode, ignoreCase: true, out var m) && Enum.IsDefined(m) ? m
                        : throw new ArgumentException($"--recurrent-steps must be auto, cublas, fused or persistent, not '{mode}'.");
                    break;
                default: rest.Add(args[i]); break;
            }
        }
        if (o.Job is not ("short" or "full")) throw new ArgumentException($"--job must be short or full, not '{o.Job}'.");
        // Checked before anything is run or written: an unknown set is an error here, not after run-info.json exists.
        _ = BenchConfigs.Select(o.CpuSet).ToList();
        _ = BenchConfigs.Select(o.GpuSet).ToList();
        return (o, [.. rest]);
    }

    private static bool OnOff(string option, string value) =>
        value is "on" ? true : value is "off" ? false : throw new ArgumentException($"{option} must be on or off, not '{value}'.");
}
