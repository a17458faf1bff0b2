using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>TimeDistributed</c>: applies the wrapped layer to every timestep of <c>[B, T, …]</c> (as one call over B·T rows).</summary>
public sealed class TimeDistributed : SingleInputLayer
{
    /// <summary>Wraps a layer.</summary>
    public TimeDistributed(SingleInputLayer layer, string? name = null, int?[]? inputShape = null, int? batchSize = null) : base(name, inputShape, batchSize)
    {
        Layer = layer ?? throw new ArgumentNullException(nameof(layer));
        if (Name != "") NameInner();
    }

    /// <summary>The wrapped layer.</summary>
    public SingleInputLayer Layer { get; }

    /// <inheritdoc />
    public override string TypeName => "TimeDistributed";

    /// <inheritdoc />
    protected override void Build(int[] inputShape)
    {
        if (inputShape.Length < 2) throw ShapeError("[steps, features…]", inputShape);
        Layer.Build([inputShape[1..]]);
        foreach (var w in Layer.Weights) MirrorWeight(w);
    }

    internal override int[] OutputShapeOf(int[] inputShape) => [inputShape[0], .. Layer.OutputShapeOf(inputShape[1..])];

    internal override void CheckLaterInput(int[] inputShape)
    {
        if (inputShape.Length != InputShape.Length) throw LaterCallError(inputShape);
        Layer.CheckLaterInput(inputShape[1..]);
    }

    // An unnamed wrapped layer is named after the wrapper, once the wrapper has a name (in the functional API a layer is
    // built when called, before the model names it), so that its errors say where it is.
    private protected override void OnNamed() => NameInner();

    private void NameInner()
    {
        if (Layer.Name == "") Layer.Name = Name + "_inner";
    }

    // The values are the wrapped layer's: it places and frees them; the wrapper's weights mirror them.
    internal override void Release()
    {
        Layer.Release();
        base.Release();
    }

    internal override void Place(Backends.IBackend backend, Random random)
    {
        Layer.Place(backend, random);
        base.Place(backend, random);
    }

    internal override Node Forward(Graph graph, Node input, LayerContext context)
    {
        if (input.Shape.Length < 3) throw ShapeError("[batch, steps, features…]", input.Shape);
        int b = input.Shape[0], t = input.Shape[1];
        var flat = graph.Reshape(input, [b * t, .. input.Shape[2..]]);
        var y = Layer.Forward(graph, flat, context);
        var result = graph.Reshape(y, [b, t, .. y.Shape[1..]]);
        result.Mask = input.Mask;
        return result;
    }
}
