using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>Dropout</c>: during training zeroes a fraction <see cref="Rate"/> of the inputs and scales the rest by 1/(1-rate); identity at inference.</summary>
public sealed class Dropout : SingleInputLayer
{
    /// <summary>Creates a dropout layer.</summary>
    public Dropout(double rate, string? name = null, int?[]? inputShape = null, int? batchSize = null) : base(name, inputShape, batchSize)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        Rate = rate;
    }

    /// <summary>Fraction of inputs dropped.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public override string TypeName => "Dropout";

    /// <inheritdoc />
    protected override void Build(int[] inputShape) { }

    internal override int[] OutputShapeOf(int[] inputShape) => inputShape;

    // No weights and no input spec in Keras: a shared one takes any shape.
    internal override void CheckLaterInput(int[] inputShape) { }

    internal override Node Forward(Graph graph, Node input, LayerContext context) =>
        context.Training ? graph.Dropout(input, Rate, context.Random) : input;
}
