using RnnGpu.Backends;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>LSTM</c>: gates i, f, c̃, o from x·W + h·U + b (in that order in the weights); c = f⊙c + i⊙c̃; h = o⊙tanh(c).
/// With <see cref="UnitForgetBias"/> (the default) the forget-gate bias starts at one.
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates an LSTM layer.</summary>
    /// <param name="units">Hidden size.</param>
    /// <param name="returnSequences">Return every step's output.</param>
    /// <param name="returnState">Also return the final h and c (functional models).</param>
    /// <param name="stateful">Carry state across batches.</param>
    /// <param name="unitForgetBias">Initialise the forget-gate bias to one (Keras default).</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, e.g. <c>[28, 28]</c>.</param>
    /// <param name="batchSize">Fixed batch size (stateful layers).</param>
    /// <param name="goBackwards">Read each sequence from its last step (Keras <c>go_backwards</c>); the returned sequence is in reading order.</param>
    /// <param name="dropout">Fraction of the input features dropped in training, the same ones at every step (Keras <c>dropout</c>).</param>
    public Lstm(int units, bool returnSequences = false, bool returnState = false, bool stateful = false, bool unitForgetBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null, bool goBackwards = false, double dropout = 0)
        : base(units, returnSequences, returnState, stateful, kernelInitializer, recurrentInitializer, biasInitializer, name, inputShape, batchSize, goBackwards, dropout)
    {
        UnitForgetBias = unitForgetBias;
        Spec = new RecurrentSpec(RecurrentKind.Lstm, units);
    }

    /// <summary>Whether the forget-gate bias starts at one.</summary>
    public bool UnitForgetBias { get; }

    internal override RecurrentLayer CopyAs(string name, bool goBackwards) =>
        new Lstm(Units, ReturnSequences, ReturnState, Stateful, UnitForgetBias, KernelInitializer, RecurrentInitializer, BiasInitializer, name, goBackwards: goBackwards, dropout: Dropout);

    /// <inheritdoc />
    public override string TypeName => "LSTM";

    /// <inheritdoc />
    public override RecurrentSpec Spec { get; }

    /// <inheritdoc />
    protected override Initializer EffectiveBiasInitializer => !UnitForgetBias ? BiasInitializer : new UnitForget(BiasInitializer, Units);

    private sealed class UnitForget(Initializer inner, int units) : Initializer
    {
        public override void Fill(Span<float> data, int[] shape, Random random)
        {
            inner.Fill(data, shape, random);
            data.Slice(units, units).Fill(1f);
        }
    }
}
