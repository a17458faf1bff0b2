using BenchmarkDotNet.Attributes;
using RnnGpu.Bench.Configs;
using TorchSharp;

namespace RnnGpu.Bench.TorchSharpBaseline;

/// <summary>The CPU baseline: libtorch through TorchSharp, float32, torch.set_num_threads(<see cref="BenchOptions.Threads"/>), on the CPU configuration set.</summary>
public class TorchSharpCpu
{
    private TorchStack? _stack;

    /// <summary>Shapes from <c>--cpu-set</c>.</summary>
    public static IEnumerable<BenchConfig> Configs => BenchConfigs.Select(BenchOptions.Current.CpuSet);

    /// <summary>The shape.</summary>
    [ParamsSource(nameof(Configs))]
    public BenchConfig Config { get; set; } = null!;

    /// <summary>Sets the thread count and builds the modules.</summary>
    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(BenchOptions.Current.Threads);
        _stack = new TorchStack(Config);
    }

    /// <summary>Forward over all steps and layers without autograd.</summary>
    [Benchmark]
    public void Inference() => _stack!.Inference();

    /// <summary>Forward with autograd, then backward with weight gradients.</summary>
    [Benchmark]
    public void TrainingStep() => _stack!.TrainingStep();

    /// <summary>Frees the modules.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _stack?.Dispose();
        _stack = null;
    }

    /// <summary>libtorch's version, for the report header.</summary>
    public static string Version => torch.__version__;
}
