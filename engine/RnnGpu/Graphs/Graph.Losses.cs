using RnnGpu.Backends;

namespace RnnGpu.Graphs;

public sealed partial class Graph
{
    /// <summary>
    /// Mean softmax cross-entropy of <paramref name="logits"/> (rows of the matrix view) against one-hot/probability
    /// rows or Int32 class indices, weighted by optional row weights. In training the gradient is written into the
    /// logits' gradient, so a later <see cref="Backward"/> continues from there.
    /// </summary>
    public double SoftmaxCrossEntropy(Node logits, DeviceTensor targets, DeviceTensor? rowWeights = null) =>
        Loss(logits, rowWeights, 1, (grad, scale) => Backend.SoftmaxCrossEntropy(logits.Value, targets, rowWeights, grad, scale));

    /// <summary>Mean binary cross-entropy of probabilities (Keras clipping), averaged over all elements.</summary>
    public double BinaryCrossEntropy(Node probabilities, DeviceTensor targets, DeviceTensor? rowWeights = null) =>
        Loss(probabilities, rowWeights, probabilities.Value.Columns, (grad, scale) => Backend.BinaryCrossEntropy(probabilities.Value, targets, rowWeights, grad, scale));

    /// <summary>Mean binary cross-entropy computed from logits (sigmoid fused, numerically stable).</summary>
    public double SigmoidBinaryCrossEntropy(Node logits, DeviceTensor targets, DeviceTensor? rowWeights = null) =>
        Loss(logits, rowWeights, logits.Value.Columns, (grad, scale) => Backend.SigmoidBinaryCrossEntropy(logits.Value, targets, rowWeights, grad, scale));

    /// <summary>Mean squared error over all elements.</summary>
    public double MeanSquaredError(Node predictions, DeviceTensor targets, DeviceTensor? rowWeights = null) =>
        Loss(predictions, rowWeights, predictions.Value.Columns, (grad, scale) => Backend.SquaredError(predictions.Value, targets, rowWeights, grad, scale));

    /// <summary>Normalises a summed loss to a mean over (weighted) rows and elements per row, and seeds the gradient.</summary>
    private double Loss(Node input, DeviceTensor? rowWeights, int elementsPerRow, Func<DeviceTensor?, double, double> compute)
    {
        double rows = rowWeights is null ? input.Value.Rows : Backend.Sum(rowWeights);
        double denominator = Math.Max(rows, 1e-12) * elementsPerRow;
        var grad = Training && input.RequiresGrad ? GradOf(input) : null;
        return compute(grad, 1 / denominator) / denominator;
    }
}
