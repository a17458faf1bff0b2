using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Losses;

/// <summary>
/// Keras <c>binary_crossentropy</c>, averaged over all output elements. A sigmoid output is fused with the loss and
/// computed from its logits; other outputs are taken as probabilities and clipped to [1e-7, 1-1e-7] like Keras, and
/// the loss is the log of the clipped value, as in Keras 3 (tf.keras 2 also added 1e-7 inside the log: 15.42 instead of
/// 16.12 at the clip, a 3e-7 difference at 0.5).
/// </summary>
public sealed class BinaryCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether the model output is logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "binary_crossentropy";

    internal override void Validate(Tensor labels, int classes)
    {
        for (int i = 0; i < labels.Length; i++)
            if (labels.Data[i] is < 0 or > 1 || float.IsNaN(labels.Data[i]))
                throw new ArgumentOutOfRangeException(nameof(labels), labels.Data[i], $"Loss '{Name}' expects targets in [0, 1]; target {i} is {labels.Data[i]}.");
    }

    internal override DeviceTensor PrepareTargets(IBackend backend, Tensor labels, int[] outputShape) => DenseTargets(backend, labels, outputShape, Name);

    internal override double Compute(Graph graph, Node output, DeviceTensor targets, DeviceTensor? rowWeights, double? rowCount = null)
    {
        if (FromLogits) return graph.SigmoidBinaryCrossEntropy(output, targets, rowWeights, rowCount);
        return Under(output, "sigmoid") is { } logits
            ? graph.SigmoidBinaryCrossEntropy(logits, targets, rowWeights, rowCount)
            : graph.BinaryCrossEntropy(output, targets, rowWeights, rowCount);
    }
}
