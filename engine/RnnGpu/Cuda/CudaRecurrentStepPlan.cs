using RnnGpu.Backends;

namespace RnnGpu.Cuda;

/// <summary>
/// How one recurrent layer's timesteps run: the grid of the tiled step kernels (a block per <see cref="Units"/> hidden
/// units of <see cref="Rows"/> batch rows, as STEP_UNITS and STEP_ROWS in kernels/recurrent_step.cuh), the block sizes,
/// whether each step kernel computes its own recurrent product (<see cref="RecurrentStepMode.Fused"/>), and whether the
/// whole loop should be tried as one cooperative launch (<see cref="RecurrentStepMode.Persistent"/>; the backend still
/// checks that the device holds the grid).
/// </summary>
internal readonly record struct CudaRecurrentStepPlan(bool Fused, bool Persistent, uint Blocks, uint ForwardThreads, uint BackwardThreads)
{
    /// <summary>Hidden units per block (STEP_UNITS).</summary>
    public const int Units = 8;

    /// <summary>Batch rows per block (STEP_ROWS).</summary>
    public const int Rows = 16;

    /// <summary>Multiply-adds of one step's h·U up to which <see cref="RecurrentStepMode.Auto"/> fuses the product into the step kernel.</summary>
    public const long FusedProductLimit = 1L << 23;

    // The product helpers' block sizes: forward, a multiple of the gates·Units columns up to 256 threads; backward, a
    // warp per unit. Without the product, one thread per cell of the tile.
    private const int MaxThreads = 256, Warp = 32, CellThreads = Units * Rows;

    public static CudaRecurrentStepPlan For(RecurrentSpec spec, int batch, int units, RecurrentStepMode mode)
    {
        bool fusable = spec.Kind != RecurrentKind.Gru || spec.ResetAfter;
        long product = (long)batch * spec.Gates * units * units;
        bool fused = fusable && mode switch
        {
            RecurrentStepMode.Fused or RecurrentStepMode.Persistent => true,
            RecurrentStepMode.Cublas => false,
            _ => product <= FusedProductLimit,
        };
        long blocks = (long)((units + Units - 1) / Units) * ((batch + Rows - 1) / Rows);
        if (blocks > int.MaxValue) throw new ArgumentException($"{spec.Kind} of {units} units at batch {batch} needs {blocks} blocks per step, more than a grid holds.");
        int columns = spec.Gates * Units;
        return new CudaRecurrentStepPlan(fused, Persistent: fused && mode == RecurrentStepMode.Persistent, (uint)blocks,
            ForwardThreads: (uint)(fused ? MaxThreads / columns * columns : CellThreads),
            BackwardThreads: (uint)(fused ? Units * Warp : CellThreads));
    }
}
