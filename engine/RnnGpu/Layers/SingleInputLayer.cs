using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>A layer with one input and one output (most of them).</summary>
public abstract class SingleInputLayer : Layer
{
    /// <inheritdoc />
    protected SingleInputLayer(string? name, int?[]? inputShape, int? batchSize) : base(name, inputShape, batchSize) { }

    /// <inheritdoc />
    protected sealed override int[][] BuildCore(int[][] inputShapes)
    {
        if (inputShapes.Length != 1) throw new ArgumentException($"{Title} takes one input, got {inputShapes.Length}.");
        return [Build(inputShapes[0])];
    }

    /// <summary>Validates the input shape (without batch), declares weights, returns the output shape.</summary>
    protected abstract int[] Build(int[] inputShape);

    internal sealed override Node[] Forward(Graph graph, Node[] inputs, LayerContext context) => [Forward(graph, Single(inputs), context)];

    /// <summary>Records the forward computation of one input.</summary>
    internal abstract Node Forward(Graph graph, Node input, LayerContext context);
}
