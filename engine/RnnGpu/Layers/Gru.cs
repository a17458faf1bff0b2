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
    /// <param name="goBackwards">Read each sequence from its last step (Keras <c>go_backwards</c>); the returned sequence is in reading order.</param>
    /// <param name="dropout">Fraction of the input features dropped in training, the same ones at every step (Keras <c>dropout</c>).</param>
    public Gru(int units, bool returnSequences = false, bool returnState = false, bool stateful = false, bool resetAfter = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null, bool goBackwards = false, double dropout = 0)
        : base(units, returnSequences, returnState, stateful, kernelInitializer, recurrentInitializer, biasInitializer, name, inputShape, batchSize, goBackwards, dropout)
    {
        ResetAfter = resetAfter;
        Spec = new RecurrentSpec(RecurrentKind.Gru, units, ResetAfter: resetAfter);
    }

    /// <summary>Whether the reset gate is applied after the recurrent product.</summary>
    public bool ResetAfter { get; }

    internal override RecurrentLayer CopyAs(string name, bool goBackwards) =>
        new Gru(Units, ReturnSequences, ReturnState, Stateful, ResetAfter, KernelInitializer, RecurrentInitializer, BiasInitializer, name, goBackwards: goBackwards, dropout: Dropout);

    /// <inheritdoc />
    public override string TypeName => "GRU";

    /// <inheritdoc />
    public override RecurrentSpec Spec { get; }

    /// <inheritdoc />
    protected override int[] BiasShape => ResetAfter ? [2, 3 * Units] : [3 * Units];
}
