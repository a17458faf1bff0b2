using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>Multiply</c>: the element-wise product of inputs of one shape (a gate, say).</summary>
public sealed class Multiply(string? name = null) : MergeLayer(name)
{
    /// <inheritdoc />
    public override string TypeName => "Multiply";

    private protected override int[] MergedShape(int[][] inputShapes) =>
        AgreeingShape(inputShapes, () => MergeError("inputs of one shape", inputShapes));

    private protected override Node Merge(Graph graph, Node[] inputs) => inputs.Skip(1).Aggregate(inputs[0], graph.Multiply);
}
