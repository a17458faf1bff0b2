using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Losses;

/// <summary>
/// Keras <c>binary_crossentropy</c>, averaged over all output elements. A sigmoid output is fused with the loss and
/// computed from its logits; other outputs are taken as probabilities and clipped to [1e-7, 1-1e-7] like Keras.
/// </summary>
public sealed class BinaryCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether the model output is logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "binary_crossentropy";

    internal override DeviceTensor PrepareTargets(IBackend backend, Tensor labels, int[] outputShape)
    {
        foreach (float v in labels.Data)
            if (v is < 0 or > 1 || float.IsNaN(v)) throw new ArgumentOutOfRangeException(nameof(labels), v, $"Loss '{Name}' expects targets in [0, 1], got {v}.");
        return DenseTargets(backend, labels, outputShape, Name);
    }

    internal override double Compute(Graph graph, Node output, DeviceTensor targets, DeviceTensor? rowWeights)
    {
        if (FromLogits) return graph.SigmoidBinaryCrossEntropy(output, targets, rowWeights);
        return Under(output, "sigmoid") is { } logits
            ? graph.SigmoidBinaryCrossEntropy(logits, targets, rowWeights)
            : graph.BinaryCrossEntropy(output, targets, rowWeights);
    }
}
