using RnnGpu.Backends;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>GRU</c>: gates z, r, h̃ (in that order in the weights); h = z⊙h_prev + (1-z)⊙h̃. With
/// <see cref="ResetAfter"/> (Keras 2 default, cuDNN compatible) the reset gate multiplies h·U_h + b_rh and the bias
/// has two rows (input and recurrent); without it the reset gate multiplies h before U_h.
/// </summary>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates a GRU layer.</summary>
    /// <param name="units">Hidden size.</param>
    /// <param name="returnSequences">Return every step's output.</param>
    /// <param name="returnState">Also return the final state (functional models).</param>
    /// <param name="stateful">Carry state across batches.</param>
    /// <param name="resetAfter">Apply the reset gate after the recurrent product (default true).</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, e.g. <c>[null, 65]</c>.</param>
    /// <param name="batchSize">Fixed batch size (stateful layers).</param>
    public Gru(int units, bool returnSequences = false, bool returnState = false, bool stateful = false, bool resetAfter = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null)
        : base(units, returnSequences, returnState, stateful, kernelInitializer, recurrentInitializer, biasInitializer, name, inputShape, batchSize)
    {
        ResetAfter = resetAfter;
        Spec = new RecurrentSpec(RecurrentKind.Gru, units, ResetAfter: resetAfter);
    }

    /// <summary>Whether the reset gate is applied after the recurrent product.</summary>
    public bool ResetAfter { get; }

    /// <inheritdoc />
    public override string TypeName => "GRU";

    /// <inheritdoc />
    public override RecurrentSpec Spec { get; }

    /// <inheritdoc />
    protected override int[] BiasShape => ResetAfter ? [2, 3 * Units] : [3 * Units];
}
