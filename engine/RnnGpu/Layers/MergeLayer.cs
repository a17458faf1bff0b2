using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Base of Keras's merge layers (<see cref="Concatenate"/>, <see cref="Add"/>, <see cref="Multiply"/>): two or more
/// inputs, no weights, one output. As in Keras, a timestep of the output is masked when it is masked in any input.
/// </summary>
public abstract class MergeLayer : Layer
{
    /// <inheritdoc />
    protected MergeLayer(string? name) : base(name, null, null) { }

    /// <summary>The output shape (without batch) for inputs of these shapes, or an error naming the layer.</summary>
    private protected abstract int[] MergedShape(int[][] inputShapes);

    /// <summary>Merges the input values.</summary>
    private protected abstract Node Merge(Graph graph, Node[] inputs);

    /// <inheritdoc />
    protected sealed override int[][] BuildCore(int[][] inputShapes) => OutputShapesOf(inputShapes);

    private protected sealed override void CheckLaterCall(int[][] inputShapes) => OutputShapesOf(inputShapes);

    private protected sealed override int[][] OutputShapesOf(int[][] inputShapes)
    {
        if (inputShapes.Length < 2)
            throw new ArgumentException($"{Title} merges two or more inputs, got {inputShapes.Length}: call it on a list, layer.Call(a, b).");
        if (inputShapes.Any(s => s.Length != inputShapes[0].Length))
            throw new ArgumentException($"{Title} needs inputs of one rank, got {string.Join(", ", inputShapes.Select(s => ShapeUtil.Format([-1, .. s])))}.");
        return [MergedShape(inputShapes)];
    }

    internal sealed override Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var merged = Merge(graph, inputs);
        merged.Mask = MergedMask(graph, inputs);
        return [merged];
    }

    /// <summary>The inputs' timestep masks combined (a step is real when it is real in every masked input), or null.</summary>
    private static DeviceTensor? MergedMask(Graph graph, Node[] inputs)
    {
        var masks = inputs.Select(i => i.Mask).OfType<DeviceTensor>().Distinct().ToList();
        if (masks.Count <= 1) return masks.FirstOrDefault();
        var all = graph.NewTensor(masks[0].Shape);
        graph.Backend.Multiply(masks[0], masks[1], all);
        foreach (var mask in masks.Skip(2)) graph.Backend.Multiply(all, mask, all);
        return all;
    }

    /// <summary>Shapes that agree wherever known, as one shape (-1 where none is known); <paramref name="mismatch"/> otherwise.</summary>
    private protected static int[] AgreeingShape(int[][] shapes, Func<Exception> mismatch)
    {
        var result = (int[])shapes[0].Clone();
        foreach (var shape in shapes.Skip(1))
            for (int d = 0; d < result.Length; d++)
            {
                if (shape[d] < 0) continue;
                if (result[d] >= 0 && result[d] != shape[d]) throw mismatch();
                result[d] = shape[d];
            }
        return result;
    }

    /// <summary>The error for inputs whose shapes cannot merge.</summary>
    private protected ArgumentException MergeError(string requirement, int[][] inputShapes) =>
        new($"{Title} needs {requirement}, got {string.Join(", ", inputShapes.Select(s => ShapeUtil.Format([-1, .. s])))}.");
}
