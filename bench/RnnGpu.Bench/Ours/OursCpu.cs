using BenchmarkDotNet.Attributes;
using RnnGpu.Backends;
using RnnGpu.Bench.Configs;

namespace RnnGpu.Bench.Ours;

/// <summary>
/// Our CPU backend (float32) with <see cref="BenchOptions.Threads"/> threads, on the CPU configuration set, its time
/// loops shared among threads as <see cref="BenchOptions.CpuSplit"/> says.
/// </summary>
public class OursCpu : OursBenchmarks
{
    /// <summary>Shapes from <c>--cpu-set</c>.</summary>
    public static IEnumerable<BenchConfig> Configs => BenchConfigs.Select(BenchOptions.Current.CpuSet);

    /// <inheritdoc />
    [ParamsSource(nameof(Configs))]
    public override BenchConfig Config { get; set; } = null!;

    /// <summary>The backend under test, as the suite options set it up.</summary>
    public static CpuBackend<float> CreateCpuBackend() =>
        new(BenchOptions.Current.Threads) { ForcedSplit = BenchOptions.Current.CpuSplit };

    /// <inheritdoc />
    protected override IBackend CreateBackend() => CreateCpuBackend();
}
