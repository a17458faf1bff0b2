using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Losses;

/// <summary>
/// Keras <c>categorical_crossentropy</c> on one-hot (or probability) targets. When the model ends in a softmax the
/// loss is computed from the logits in one fused, numerically stable op; with <see cref="FromLogits"/> the output is
/// taken as logits.
/// </summary>
public sealed class CategoricalCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether the model output is logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "categorical_crossentropy";

    internal override DeviceTensor PrepareTargets(IBackend backend, Tensor labels, int[] outputShape) => DenseTargets(backend, labels, outputShape, Name);

    internal override double Compute(Graph graph, Node output, DeviceTensor targets, DeviceTensor? rowWeights, double? rowCount = null) =>
        graph.SoftmaxCrossEntropy(Logits(output, Name, FromLogits), targets, rowWeights, rowCount);

    /// <summary>The logits of a softmax output, or the output itself with fromLogits; otherwise a clear error.</summary>
    internal static Node Logits(Node output, string name, bool fromLogits) =>
        fromLogits ? output : Under(output, "softmax")
            ?? throw new InvalidOperationException($"Loss '{name}' expects the model to end in a softmax activation (or fromLogits: true); the last op is '{output.Op}'.");
}
