using RnnGpu.Backends;

namespace RnnGpu.Layers;

/// <summary>Keras <c>SimpleRNN</c>: h_t = activation(x_t·W + h_{t-1}·U + b).</summary>
public sealed class SimpleRnn : RecurrentLayer
{
    /// <summary>Creates a fully-connected recurrent layer.</summary>
    /// <param name="units">Hidden size.</param>
    /// <param name="activation">tanh (default), relu or linear.</param>
    /// <param name="returnSequences">Return every step's output.</param>
    /// <param name="returnState">Also return the final state (functional models).</param>
    /// <param name="stateful">Carry state across batches.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="recurrentInitializer">Default orthogonal.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, e.g. <c>[null, 1]</c>.</param>
    /// <param name="batchSize">Fixed batch size (stateful layers).</param>
    /// <param name="goBackwards">Read each sequence from its last step (Keras <c>go_backwards</c>); the returned sequence is in reading order.</param>
    /// <param name="dropout">Fraction of the input features dropped in training, the same ones at every step (Keras <c>dropout</c>).</param>
    public SimpleRnn(int units, ActivationKind activation = ActivationKind.Tanh, bool returnSequences = false, bool returnState = false, bool stateful = false,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null, bool goBackwards = false, double dropout = 0)
        : base(units, returnSequences, returnState, stateful, kernelInitializer, recurrentInitializer, biasInitializer, name, inputShape, batchSize, goBackwards, dropout)
    {
        if (activation is not (ActivationKind.Tanh or ActivationKind.Relu or ActivationKind.Linear or ActivationKind.Sigmoid))
            throw new ArgumentException($"SimpleRNN supports tanh, relu, sigmoid or linear activations, not {activation}.", nameof(activation));
        Spec = new RecurrentSpec(RecurrentKind.SimpleRnn, units, activation);
    }

    internal override RecurrentLayer CopyAs(string name, bool goBackwards) =>
        new SimpleRnn(Units, Spec.Activation, ReturnSequences, ReturnState, Stateful, KernelInitializer, RecurrentInitializer, BiasInitializer, name, goBackwards: goBackwards, dropout: Dropout);

    /// <inheritdoc />
    public override string TypeName => "SimpleRNN";

    /// <inheritdoc />
    public override RecurrentSpec Spec { get; }
}
