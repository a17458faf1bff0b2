using RnnGpu.Backends;

namespace RnnGpu.Cuda;

/// <summary>
/// What the fused recurrent forward pass keeps on the device for backward, all batch-major <c>[B, T, .]</c> so the
/// weight gradients are single GEMMs over the B·T rows.
/// </summary>
internal sealed class CudaRecurrentTape : RecurrentTape
{
    public CudaRecurrentTape(CudaBackend backend, RecurrentSpec spec, int batch, int steps, int units)
    {
        int gh = spec.Gates * units;
        Gates = (CudaTensor)backend.Allocate(batch, steps, gh);
        HPrev = (CudaTensor)backend.Allocate(batch, steps, units);
        HLast = (CudaTensor)backend.Allocate(batch, units);
        if (spec.HasCellState)
        {
            CPrev = (CudaTensor)backend.Allocate(batch, steps, units);
            CLast = (CudaTensor)backend.Allocate(batch, units);
        }
        if (spec.Kind == RecurrentKind.Gru) Extra = (CudaTensor)backend.Allocate(batch, steps, units);
    }

    /// <summary>Gate activations of every step (LSTM i, f, c~, o; GRU z, r, h~; SimpleRNN the new h).</summary>
    public CudaTensor Gates { get; }

    /// <summary>The hidden state entering every step.</summary>
    public CudaTensor HPrev { get; }

    /// <summary>The hidden state after the last step.</summary>
    public CudaTensor HLast { get; }

    /// <summary>LSTM: the cell state entering every step.</summary>
    public CudaTensor? CPrev { get; }

    /// <summary>LSTM: the cell state after the last step.</summary>
    public CudaTensor? CLast { get; }

    /// <summary>GRU reset-after: h_prev·U_h + b_rh per step; reset-before: r ⊙ h_prev per step.</summary>
    public CudaTensor? Extra { get; }

    /// <inheritdoc />
    /// <remarks>
    /// In reverse order of allocation: the pool's per-size stacks then hand the same blocks to the same buffers on the
    /// next identical call, so a repeating time loop keeps its addresses and can replay as a CUDA graph.
    /// </remarks>
    public override void Dispose()
    {
        Extra?.Dispose();
        CLast?.Dispose();
        CPrev?.Dispose();
        HLast.Dispose();
        HPrev.Dispose();
        Gates.Dispose();
    }
}
