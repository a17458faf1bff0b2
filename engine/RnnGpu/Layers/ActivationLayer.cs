using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>Activation</c>: applies an activation function.</summary>
public sealed class Activation(ActivationKind kind, string? name = null, int?[]? inputShape = null, int? batchSize = null)
    : SingleInputLayer(name, inputShape, batchSize)
{
    /// <summary>The function applied.</summary>
    public ActivationKind Kind { get; } = kind;

    /// <inheritdoc />
    public override string TypeName => "Activation";

    /// <inheritdoc />
    protected override void Build(int[] inputShape) { }

    internal override int[] OutputShapeOf(int[] inputShape) => inputShape;

    // No weights and no input spec in Keras: a shared one takes any shape.
    internal override void CheckLaterInput(int[] inputShape) { }

    internal override Node Forward(Graph graph, Node input, LayerContext context) => graph.Activation(Kind, input);
}
