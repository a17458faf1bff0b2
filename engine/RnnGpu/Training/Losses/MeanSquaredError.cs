using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Losses;

/// <summary>Keras <c>mean_squared_error</c>: mean of (prediction - target)² over all output elements.</summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc />
    public override string Name => "mean_squared_error";

    internal override DeviceTensor PrepareTargets(IBackend backend, Tensor labels, int[] outputShape) => DenseTargets(backend, labels, outputShape, Name);

    internal override double Compute(Graph graph, Node output, DeviceTensor targets, DeviceTensor? rowWeights, double? rowCount = null) =>
        graph.MeanSquaredError(output, targets, rowWeights, rowCount);
}
