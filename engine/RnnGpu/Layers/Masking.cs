using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>Masking</c>: marks timesteps whose features all equal <see cref="MaskValue"/> as padding for the recurrent
/// layers after it, and, as Keras does, outputs the input with those timesteps zeroed.
/// </summary>
public sealed class Masking(double maskValue = 0, string? name = null, int?[]? inputShape = null, int? batchSize = null)
    : SingleInputLayer(name, inputShape, batchSize)
{
    /// <summary>The padding value.</summary>
    public double MaskValue { get; } = maskValue;

    /// <inheritdoc />
    public override string TypeName => "Masking";

    /// <inheritdoc />
    protected override void Build(int[] inputShape)
    {
        if (inputShape.Length != 2) throw ShapeError("[steps, features]", inputShape);
    }

    internal override int[] OutputShapeOf(int[] inputShape) => inputShape;

    internal override Node Forward(Graph graph, Node input, LayerContext context)
    {
        var mask = graph.NewTensor([input.Shape[0], input.Shape[1]]);
        graph.Backend.TimestepMask(input.Value, MaskValue, mask);
        // A new node: the mask belongs to this layer's output, not to the input that other branches may read too.
        return graph.MaskTimesteps(input, mask);
    }
}
