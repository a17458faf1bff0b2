using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>Concatenate</c> (along the last axis, Keras's default): joins the features of its inputs, e.g. the final
/// states of two encoders, or two sequences step by step. The other axes must agree.
/// </summary>
public sealed class Concatenate(string? name = null) : MergeLayer(name)
{
    /// <inheritdoc />
    public override string TypeName => "Concatenate";

    private protected override int[] MergedShape(int[][] inputShapes)
    {
        if (inputShapes[0].Length == 0) throw MergeError("inputs with a feature axis", inputShapes);
        var leading = AgreeingShape(inputShapes.Select(s => s[..^1]).ToArray(), () => MergeError("inputs that agree on every axis but the last", inputShapes));
        int last = inputShapes.Any(s => s[^1] < 0) ? -1 : inputShapes.Sum(s => s[^1]);
        return [.. leading, last];
    }

    private protected override Node Merge(Graph graph, Node[] inputs) => graph.Concat(inputs);
}
