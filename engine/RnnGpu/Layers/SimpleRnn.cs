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
    public SimpleRnn(int units, ActivationKind activation = ActivationKind.Tanh, bool returnSequences = false, bool returnState = false, bool stateful = false,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null)
        : base(units, returnSequences, returnState, stateful, kernelInitializer, recurrentInitializer, biasInitializer, name, inputShape, batchSize)
    {
        if (activation is not (ActivationKind.Tanh or ActivationKind.Relu or ActivationKind.Linear or ActivationKind.Sigmoid))
            throw new ArgumentException($"SimpleRNN supports tanh, relu, sigmoid or linear activations, not {activation}.", nameof(activation));
        Spec = new RecurrentSpec(RecurrentKind.SimpleRnn, units, activation);
    }

    /// <inheritdoc />
    public override string TypeName => "SimpleRNN";

    /// <inheritdoc />
    public override RecurrentSpec Spec { get; }
}
