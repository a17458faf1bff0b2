using RnnGpu.Backends;

namespace RnnGpu.Bench.Configs;

/// <summary>One benchmarked shape: a stack of recurrent layers of one cell kind over a batch of sequences.</summary>
/// <param name="Name">Unique name; BenchmarkDotNet's parameter value and the key that joins our results to the baselines.</param>
/// <param name="Group">Where the shape comes from (tutorial, haste, deepbench-train, ...).</param>
/// <param name="Kind">The cell.</param>
/// <param name="Batch">Batch size B.</param>
/// <param name="Steps">Sequence length T.</param>
/// <param name="Input">Features of the first layer's input.</param>
/// <param name="Units">Hidden size of each stacked layer, bottom first.</param>
/// <param name="CpuTier">Cost class (small, medium, large) that decides whether the CPU side runs it.</param>
public sealed record BenchConfig(string Name, string Group, RecurrentKind Kind, int Batch, int Steps, int Input, int[] Units, string CpuTier)
{
    /// <summary>Input width of layer <paramref name="layer"/>: the first layer's input, else the layer below's units.</summary>
    public int InputOf(int layer) => layer == 0 ? Input : Units[layer - 1];

    /// <summary>GEMM FLOPs of one inference forward pass: Σ over layers of 2·B·T·(I+H)·G·H.</summary>
    public double ForwardFlops
    {
        get
        {
            int gates = new RecurrentSpec(Kind, 1).Gates;
            double sum = 0;
            for (int l = 0; l < Units.Length; l++)
                sum += 2.0 * Batch * Steps * (InputOf(l) + Units[l]) * gates * Units[l];
            return sum;
        }
    }

    /// <summary>GEMM FLOPs of one training step: forward plus a backward counted as twice the forward.</summary>
    public double TrainingFlops => 3 * ForwardFlops;

    /// <summary>BenchmarkDotNet shows parameters with ToString: the name keeps the tables narrow.</summary>
    public override string ToString() => Name;
}
