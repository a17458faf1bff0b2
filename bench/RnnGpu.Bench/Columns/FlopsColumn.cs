using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RnnGpu.Bench.Configs;

namespace RnnGpu.Bench.Columns;

/// <summary>
/// GEMM FLOPs of one call (GFLOP/call) or the achieved rate from the mean time (GFLOP/s). Forward counts
/// 2·B·T·(I+H)·G·H per layer; a training step counts three times that (backward ≈ 2× forward).
/// </summary>
public sealed class FlopsColumn(bool rate) : IColumn
{
    /// <summary>GFLOP per call.</summary>
    public static readonly IColumn PerCall = new FlopsColumn(rate: false);

    /// <summary>Achieved GFLOP/s.</summary>
    public static readonly IColumn Rate = new FlopsColumn(rate: true);

    /// <inheritdoc />
    public string Id => rate ? "RnnGpu.GFlopsPerSecond" : "RnnGpu.GFlopPerCall";

    /// <inheritdoc />
    public string ColumnName => rate ? "GFLOP/s" : "GFLOP/call";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => rate ? 1 : 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => rate ? "Achieved GEMM GFLOP/s (FLOPs per call / mean time)" : "GEMM GFLOP of one call (training = 3 × forward)";

    /// <summary>FLOPs of one call of the case, or null when it is not one of ours.</summary>
    public static double? Flops(BenchmarkCase benchmarkCase)
    {
        var config = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Config")?.Value as BenchConfig;
        if (config is null) return null;
        return benchmarkCase.Descriptor.WorkloadMethod.Name == "TrainingStep" ? config.TrainingFlops : config.ForwardFlops;
    }

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (Flops(benchmarkCase) is not double flops) return "-";
        if (!rate) return (flops / 1e9).ToString("G4", System.Globalization.CultureInfo.InvariantCulture);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean; // nanoseconds
        return mean is > 0 ? (flops / mean.Value).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc />
    public override string ToString() => ColumnName;
}
