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
        Build(inputShapes[0]);
        return [OutputShapeOf(inputShapes[0])];
    }

    /// <summary>Validates the input shape (without batch) of the first call and declares the weights.</summary>
    protected abstract void Build(int[] inputShape);

    /// <summary>The output shape for an input shape that fits the weights, on every call.</summary>
    internal abstract int[] OutputShapeOf(int[] inputShape);

    /// <summary>
    /// Checks the input of a later call, as Keras's input specs do: the same rank, and the same feature (last) axis
    /// where both are known; the other axes (steps) may differ from call to call.
    /// </summary>
    internal virtual void CheckLaterInput(int[] inputShape)
    {
        if (inputShape.Length != InputShape.Length || (InputShape[^1] >= 0 && inputShape[^1] >= 0 && InputShape[^1] != inputShape[^1]))
            throw LaterCallError(inputShape);
    }

    private protected sealed override void CheckLaterCall(int[][] inputShapes)
    {
        if (inputShapes.Length != 1) throw new ArgumentException($"{Title} takes one input, got {inputShapes.Length}.");
        CheckLaterInput(inputShapes[0]);
    }

    private protected sealed override int[][] OutputShapesOf(int[][] inputShapes) => [OutputShapeOf(inputShapes[0])];

    internal sealed override Node[] Forward(Graph graph, Node[] inputs, LayerContext context) => [Forward(graph, Single(inputs), context)];

    /// <summary>Records the forward computation of one input.</summary>
    internal abstract Node Forward(Graph graph, Node input, LayerContext context);
}
