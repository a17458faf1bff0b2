namespace RnnGpu.Backends.Cpu;

/// <summary>What the CPU's fused recurrent forward keeps for backward, all with rows ordered b·T + t.</summary>
internal sealed class CpuRecurrentTape<T> : RecurrentTape where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    public CpuRecurrentTape(CpuBackend<T> backend, RecurrentSpec spec, RecurrentDims d)
    {
        int rows = d.B * d.Steps;
        // Every element of these is written by the forward pass before anything reads it: skip the clearing.
        Activations = backend.NewFloat([rows, d.GH], zeroed: false);
        HPrev = backend.NewFloat([rows, d.H], zeroed: false);
        Cells = backend.NewFloat([spec.HasCellState ? rows : 0, d.H], zeroed: false);
        GruExtra = backend.NewFloat([spec.Kind == RecurrentKind.Gru ? rows : 0, d.H], zeroed: false);
    }

    /// <summary>x·W + b for every step at first, overwritten step by step with the gate activations after their nonlinearity (LSTM i, f, g, o; GRU z, r, h̃; SimpleRNN h).</summary>
    public CpuTensor<T> Activations { get; }

    /// <summary>The hidden state entering each step.</summary>
    public CpuTensor<T> HPrev { get; }

    /// <summary>LSTM: the cell state leaving each step.</summary>
    public CpuTensor<T> Cells { get; }

    /// <summary>GRU reset-after: h·U_h + b_rh; reset-before: r ⊙ h_prev.</summary>
    public CpuTensor<T> GruExtra { get; }

    /// <inheritdoc />
    public override void Dispose()
    {
        Activations.Dispose();
        HPrev.Dispose();
        Cells.Dispose();
        GruExtra.Dispose();
    }
}
