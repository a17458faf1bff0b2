using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>Add</c>: the element-wise sum of inputs of one shape (a residual connection, say).</summary>
public sealed class Add(string? name = null) : MergeLayer(name)
{
    /// <inheritdoc />
    public override string TypeName => "Add";

    private protected override int[] MergedShape(int[][] inputShapes) =>
        AgreeingShape(inputShapes, () => MergeError("inputs of one shape", inputShapes));

    private protected override Node Merge(Graph graph, Node[] inputs) => inputs.Skip(1).Aggregate(inputs[0], graph.Add);
}
