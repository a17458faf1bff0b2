using RnnGpu.Backends;

namespace RnnGpu.Graphs;

public sealed partial class Graph
{
    // Every loss below is Σ weight·loss over the rows divided by the number of rows (and of elements per row): the rows
    // counted are all of them, the sum of the row weights, or, with sample weights (Keras's sum_over_batch_size with a
    // mask), the given rowCount, the unmasked rows, so that weights scale each row's share without renormalising.

    /// <summary>
    /// Mean softmax cross-entropy of <paramref name="logits"/> (rows of the matrix view) against one-hot/probability
    /// rows or Int32 class indices, weighted by optional row weights. In training the gradient is written into the
    /// logits' gradient, so a later <see cref="Backward"/> continues from there.
    /// </summary>
    public double SoftmaxCrossEntropy(Node logits, DeviceTensor targets, DeviceTensor? rowWeights = null, double? rowCount = null) =>
        Loss(logits, rowWeights, rowCount, 1, (grad, scale) => Backend.SoftmaxCrossEntropy(logits.Value, targets, rowWeights, grad, scale));

    /// <summary>Mean binary cross-entropy of probabilities (Keras clipping), averaged over all elements.</summary>
    public double BinaryCrossEntropy(Node probabilities, DeviceTensor targets, DeviceTensor? rowWeights = null, double? rowCount = null) =>
        Loss(probabilities, rowWeights, rowCount, probabilities.Value.Columns, (grad, scale) => Backend.BinaryCrossEntropy(probabilities.Value, targets, rowWeights, grad, scale));

    /// <summary>Mean binary cross-entropy computed from logits (sigmoid fused, numerically stable).</summary>
    public double SigmoidBinaryCrossEntropy(Node logits, DeviceTensor targets, DeviceTensor? rowWeights = null, double? rowCount = null) =>
        Loss(logits, rowWeights, rowCount, logits.Value.Columns, (grad, scale) => Backend.SigmoidBinaryCrossEntropy(logits.Value, targets, rowWeights, grad, scale));

    /// <summary>Mean squared error over all elements.</summary>
    public double MeanSquaredError(Node predictions, DeviceTensor targets, DeviceTensor? rowWeights = null, double? rowCount = null) =>
        Loss(predictions, rowWeights, rowCount, predictions.Value.Columns, (grad, scale) => Backend.SquaredError(predictions.Value, targets, rowWeights, grad, scale));

    /// <summary>Normalises a summed loss to a mean over (weighted) rows and elements per row, and seeds the gradient.</summary>
    private double Loss(Node input, DeviceTensor? rowWeights, double? rowCount, int elementsPerRow, Func<DeviceTensor?, double, double> compute)
    {
        double rows = rowCount ?? (rowWeights is null ? input.Value.Rows : Backend.Sum(rowWeights));
        double denominator = Math.Max(rows, 1e-12) * elementsPerRow;
        var grad = Training && input.RequiresGrad ? GradOf(input) : null;
        return compute(grad, 1 / denominator) / denominator;
    }
}
