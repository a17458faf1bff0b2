using BenchmarkDotNet.Attributes;
using RnnGpu.Backends;
using RnnGpu.Bench.Configs;

namespace RnnGpu.Bench.Ours;

/// <summary>Inference and training step of our fused recurrent layers on one backend; subclasses pick the backend and the shapes.</summary>
public abstract class OursBenchmarks
{
    private IBackend? _backend;
    private OursRecurrentStack? _stack;

    /// <summary>The shape; subclasses attach the parameter source.</summary>
    public abstract BenchConfig Config { get; set; }

    /// <summary>Creates the backend under test.</summary>
    protected abstract IBackend CreateBackend();

    /// <summary>Builds the backend and every tensor once per configuration.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _backend = CreateBackend();
        _stack = new OursRecurrentStack(_backend, Config);
    }

    /// <summary>Forward over all steps and layers, nothing kept for backward.</summary>
    [Benchmark]
    public void Inference() => _stack!.Inference();

    /// <summary>Forward keeping activations, then backward with weight gradients.</summary>
    [Benchmark]
    public void TrainingStep() => _stack!.TrainingStep();

    /// <summary>Frees the tensors and the backend.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _stack?.Dispose();
        _backend?.Dispose();
        _stack = null;
        _backend = null;
    }
}
