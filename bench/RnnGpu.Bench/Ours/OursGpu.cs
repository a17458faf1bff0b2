using BenchmarkDotNet.Attributes;
using RnnGpu.Backends;
using RnnGpu.Bench.Configs;
using RnnGpu.Cuda;

namespace RnnGpu.Bench.Ours;

/// <summary>
/// Our CUDA backend on the GPU configuration set. Each call ends with <see cref="IBackend.Synchronize"/>, so
/// BenchmarkDotNet's wall clock covers the device work; the events subcommand times with <see cref="Timing.IDeviceTimer"/>.
/// </summary>
public class OursGpu : OursBenchmarks
{
    /// <summary>Shapes from <c>--gpu-set</c>.</summary>
    public static IEnumerable<BenchConfig> Configs => BenchConfigs.Select(BenchOptions.Current.GpuSet);

    /// <inheritdoc />
    [ParamsSource(nameof(Configs))]
    public override BenchConfig Config { get; set; } = null!;

    /// <inheritdoc />
    protected override IBackend CreateBackend() => CreateCudaBackend();

    /// <summary>
    /// The first GPU's backend, with this run's <see cref="BenchOptions.RecurrentSteps"/>, <see cref="BenchOptions.StepGraphs"/>
    /// and <see cref="BenchOptions.Tf32"/>.
    /// </summary>
    public static IBackend CreateCudaBackend()
    {
        var backend = Device.Gpu(0, allowTf32: BenchOptions.Current.Tf32).CreateBackend();
        if (backend is CudaBackend cuda)
        {
            cuda.RecurrentSteps = BenchOptions.Current.RecurrentSteps;
            cuda.StepGraphs = BenchOptions.Current.StepGraphs;
        }
        return backend;
    }

    /// <summary>
    /// Null when a GPU backend can be created (its name in <paramref name="name"/>), else the reason; the suite then
    /// leaves this class out. Any failure counts: a missing driver, library or device all mean "skip, say why".
    /// </summary>
    public static string? Unavailable(out string? name)
    {
        name = null;
        try
        {
            using var backend = Device.Gpu(0).CreateBackend();
            name = backend.Name;
            return null;
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }
}
