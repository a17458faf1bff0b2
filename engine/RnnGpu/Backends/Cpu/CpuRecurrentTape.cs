namespace RnnGpu.Backends.Cpu;

/// <summary>
/// What the CPU's fused recurrent forward keeps for backward, all with rows ordered b·T + t. A forward that keeps
/// nothing (inference) gets the same buffers as its workspace, but with one row per batch row for the per-step ones
/// (overwritten at every step) and no <see cref="HPrev"/>.
/// </summary>
internal sealed class CpuRecurrentTape<T> : RecurrentTape where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
{
    public CpuRecurrentTape(CpuBackend<T> backend, RecurrentSpec spec, RecurrentDims d, bool keepForBackward)
    {
        int rows = d.B * d.Steps, stepRows = keepForBackward ? rows : d.B;
        KeepsEveryStep = keepForBackward;
        // Every element of these is written by the forward pass before anything reads it: skip the clearing.
        Activations = backend.NewFloat([rows, d.GH], zeroed: false);
        HPrev = backend.NewFloat([keepForBackward ? rows : 0, d.H], zeroed: false);
        Cells = backend.NewFloat([spec.HasCellState ? stepRows : 0, d.H], zeroed: false);
        GruExtra = backend.NewFloat([spec.Kind == RecurrentKind.Gru ? stepRows : 0, d.H], zeroed: false);
    }

    /// <summary>Whether the per-step buffers hold every step (rows b·T + t) or only the current one (rows b).</summary>
    public bool KeepsEveryStep { get; }

    /// <summary>x·W + b for every step at first, overwritten step by step with the gate activations after their nonlinearity (LSTM i, f, g, o; GRU z, r, h̃; SimpleRNN h).</summary>
    public CpuTensor<T> Activations { get; }

    /// <summary>The hidden state entering each step (empty when the forward keeps nothing).</summary>
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
