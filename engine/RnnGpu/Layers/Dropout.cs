using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>Dropout</c>: during training zeroes a fraction <see cref="Rate"/> of the inputs and scales the rest by 1/(1-rate); identity at inference.</summary>
public sealed class Dropout : SingleInputLayer
{
    /// <summary>Creates a dropout layer.</summary>
    /// <param name="rate">Fraction of the inputs to drop, in [0, 1).</param>
    /// <param name="noiseShape">
    /// Keras <c>noise_shape</c>, batch axis included: an axis given as 1 shares one draw along it, null takes the
    /// input's extent; <c>[null, 1, null]</c> on <c>[B, T, F]</c> drops the same features at every timestep.
    /// </param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch.</param>
    /// <param name="batchSize">Fixed batch size.</param>
    public Dropout(double rate, int?[]? noiseShape = null, string? name = null, int?[]? inputShape = null, int? batchSize = null) : base(name, inputShape, batchSize)
    {
        if (rate is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "Dropout rate must be in [0, 1).");
        if (noiseShape is not null && noiseShape.Any(d => d is < 1))
            throw new ArgumentOutOfRangeException(nameof(noiseShape), $"Dropout noise shape [{string.Join(", ", noiseShape.Select(d => d?.ToString() ?? "null"))}] needs positive extents or null.");
        Rate = rate;
        NoiseShape = noiseShape;
    }

    /// <summary>Fraction of inputs dropped.</summary>
    public double Rate { get; }

    /// <summary>The shape of the drawn mask, batch axis included (null: the input's shape).</summary>
    public int?[]? NoiseShape { get; }

    /// <inheritdoc />
    public override string TypeName => "Dropout";

    /// <inheritdoc />
    protected override void Build(int[] inputShape) { }

    internal override int[] OutputShapeOf(int[] inputShape) => inputShape;

    // No weights and no input spec in Keras: a shared one takes any shape.
    internal override void CheckLaterInput(int[] inputShape) { }

    internal override Node Forward(Graph graph, Node input, LayerContext context)
    {
        if (!context.Training || Rate <= 0) return input;
        if (NoiseShape is null) return graph.Dropout(input, Rate, context.Random);
        if (NoiseShape.Length != input.Shape.Length)
            throw new ArgumentException($"{Title} has noise shape of rank {NoiseShape.Length} for input {ShapeUtil.Format(input.Shape)} of rank {input.Shape.Length}; the noise shape includes the batch axis.");
        var shape = new int[input.Shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            shape[d] = NoiseShape[d] ?? input.Shape[d];
            if (shape[d] != 1 && shape[d] != input.Shape[d])
                throw new ArgumentException($"{Title}: noise shape axis {d} is {shape[d]}, but the input {ShapeUtil.Format(input.Shape)} has {input.Shape[d]} there; give 1, null or {input.Shape[d]}.");
        }
        return graph.Dropout(input, Rate, context.Random, shape);
    }
}
