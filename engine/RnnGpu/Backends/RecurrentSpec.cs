namespace RnnGpu.Backends;

/// <summary>The three built-in recurrent cells.</summary>
public enum RecurrentKind
{
    /// <summary>h = act(x·W + h·U + b).</summary>
    SimpleRnn,
    /// <summary>Keras LSTM, gates in the order i, f, c, o.</summary>
    Lstm,
    /// <summary>Keras GRU, gates in the order z, r, h.</summary>
    Gru,
}

/// <summary>
/// Everything a backend needs to know about a fused recurrent layer besides its tensors.
/// Weight layout follows Keras: kernel <c>[inputDim, gates·units]</c>, recurrent kernel <c>[units, gates·units]</c>,
/// bias <c>[gates·units]</c>, except a GRU with <see cref="ResetAfter"/> whose bias is <c>[2, 3·units]</c>
/// (input bias row, then recurrent bias row).
/// </summary>
/// <param name="Kind">The cell.</param>
/// <param name="Units">Hidden size H.</param>
/// <param name="Activation">SimpleRNN: its activation (tanh, relu or linear); LSTM/GRU: the candidate and cell-output activation (tanh).</param>
/// <param name="ResetAfter">GRU only: apply the reset gate after the recurrent matrix product (Keras 2 default, cuDNN compatible).</param>
public readonly record struct RecurrentSpec(RecurrentKind Kind, int Units, ActivationKind Activation = ActivationKind.Tanh, bool ResetAfter = true)
{
    /// <summary>Number of gate blocks of width <see cref="Units"/> in the kernels: 1, 4 or 3.</summary>
    public int Gates => Kind switch { RecurrentKind.Lstm => 4, RecurrentKind.Gru => 3, _ => 1 };

    /// <summary>True when the cell has a second state (the LSTM cell state c).</summary>
    public bool HasCellState => Kind == RecurrentKind.Lstm;
}

/// <summary>
/// Tensors of one fused recurrent forward pass. Sequences are batch-major like Keras: <c>[batch, steps, features]</c>.
/// </summary>
public sealed class RecurrentForwardArgs
{
    /// <summary>Input sequence <c>[B, T, I]</c>.</summary>
    public required DeviceTensor Input { get; init; }
    /// <summary>Optional timestep mask <c>[B, T]</c>: 1 for a real step, 0 for padding. A masked step keeps the previous state and repeats it as its output (the layer zeroes the outputs before a row's first real step when the state did not start at zero, as Keras does).</summary>
    public DeviceTensor? Mask { get; init; }
    /// <summary>Initial hidden state <c>[B, H]</c>.</summary>
    public required DeviceTensor InitialH { get; init; }
    /// <summary>Initial cell state <c>[B, H]</c> (LSTM only).</summary>
    public DeviceTensor? InitialC { get; init; }
    /// <summary>Kernel <c>[I, G·H]</c>.</summary>
    public required DeviceTensor Kernel { get; init; }
    /// <summary>Recurrent kernel <c>[H, G·H]</c>.</summary>
    public required DeviceTensor RecurrentKernel { get; init; }
    /// <summary>Bias <c>[G·H]</c>, or <c>[2, 3H]</c> for a GRU with reset-after.</summary>
    public required DeviceTensor Bias { get; init; }
    /// <summary>Output: the hidden state after every step, <c>[B, T, H]</c>.</summary>
    public required DeviceTensor Output { get; init; }
    /// <summary>Output: the final hidden state <c>[B, H]</c>.</summary>
    public required DeviceTensor FinalH { get; init; }
    /// <summary>Output: the final cell state <c>[B, H]</c> (LSTM only).</summary>
    public DeviceTensor? FinalC { get; init; }
}

/// <summary>
/// Tensors of one fused recurrent backward pass. Every gradient output is accumulated into (+=), so the caller
/// passes zeroed buffers or buffers that already hold other contributions.
/// </summary>
public sealed class RecurrentBackwardArgs
{
    /// <summary>The forward pass being differentiated.</summary>
    public required RecurrentForwardArgs Forward { get; init; }
    /// <summary>What the forward pass saved (from <see cref="IBackend.RecurrentForward"/>).</summary>
    public required RecurrentTape Tape { get; init; }
    /// <summary>Gradient with respect to <see cref="RecurrentForwardArgs.Output"/>, or null when zero.</summary>
    public DeviceTensor? OutputGrad { get; init; }
    /// <summary>Gradient with respect to the final hidden state, or null when zero.</summary>
    public DeviceTensor? FinalHGrad { get; init; }
    /// <summary>Gradient with respect to the final cell state, or null when zero.</summary>
    public DeviceTensor? FinalCGrad { get; init; }
    /// <summary>Receives the input gradient <c>[B, T, I]</c>, or null when not needed.</summary>
    public DeviceTensor? InputGrad { get; init; }
    /// <summary>Receives the initial hidden state gradient, or null when not needed.</summary>
    public DeviceTensor? InitialHGrad { get; init; }
    /// <summary>Receives the initial cell state gradient, or null when not needed.</summary>
    public DeviceTensor? InitialCGrad { get; init; }
    /// <summary>Receives the kernel gradient.</summary>
    public required DeviceTensor KernelGrad { get; init; }
    /// <summary>Receives the recurrent kernel gradient.</summary>
    public required DeviceTensor RecurrentKernelGrad { get; init; }
    /// <summary>Receives the bias gradient.</summary>
    public required DeviceTensor BiasGrad { get; init; }
}

/// <summary>Activations a fused recurrent forward pass keeps for its backward pass; backend specific. Dispose when done.</summary>
public abstract class RecurrentTape : IDisposable
{
    /// <inheritdoc />
    public abstract void Dispose();
}
