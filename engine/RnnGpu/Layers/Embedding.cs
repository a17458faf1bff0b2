using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>Embedding</c>: maps integer token indices <c>[B, T]</c> to vectors <c>[B, T, outputDim]</c>. With
/// <see cref="MaskZero"/>, index 0 is padding and the recurrent layers after it skip those steps.
/// </summary>
public sealed class Embedding : SingleInputLayer
{
    /// <summary>Creates an embedding.</summary>
    /// <param name="inputDim">Vocabulary size: indices must lie in [0, inputDim).</param>
    /// <param name="outputDim">Vector size.</param>
    /// <param name="maskZero">Treat index 0 as padding.</param>
    /// <param name="embeddingsInitializer">Default U(-0.05, 0.05).</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, e.g. <c>[maxlen]</c> or <c>[null]</c>.</param>
    /// <param name="batchSize">Fixed batch size.</param>
    public Embedding(int inputDim, int outputDim, bool maskZero = false, Initializer? embeddingsInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null) : base(name, inputShape, batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputDim, 1);
        InputDim = inputDim;
        OutputDim = outputDim;
        MaskZero = maskZero;
        EmbeddingsInitializer = embeddingsInitializer ?? Initializer.RandomUniform();
    }

    /// <summary>Vocabulary size.</summary>
    public int InputDim { get; }

    /// <summary>Vector size.</summary>
    public int OutputDim { get; }

    /// <summary>Whether index 0 marks padding.</summary>
    public bool MaskZero { get; }

    /// <summary>Initializer of the table.</summary>
    public Initializer EmbeddingsInitializer { get; }

    /// <inheritdoc />
    public override string TypeName => "Embedding";

    private Weight _table = null!;

    /// <inheritdoc />
    protected override void Build(int[] inputShape)
    {
        if (inputShape.Length != 1) throw ShapeError("[steps] of token indices", inputShape);
        _table = AddWeight("embeddings", [InputDim, OutputDim], EmbeddingsInitializer);
    }

    internal override int[] OutputShapeOf(int[] inputShape) => [inputShape[0], OutputDim];

    // Token indices of any length.
    internal override void CheckLaterInput(int[] inputShape)
    {
        if (inputShape.Length != 1) throw LaterCallError(inputShape);
    }

    internal override void ValidateInput(Tensor input) => ToIndices(input.Data);

    internal override Node Forward(Graph graph, Node input, LayerContext context)
    {
        if (input.Shape.Length != 2) throw ShapeError("[batch, steps] of token indices", input.Shape);
        // Indices come from the host batch when this layer reads a model input, else from the device.
        float[] host = context.HostValueOf(input)?.Data ?? Download(graph, input);
        var indices = ToIndices(host);
        var indexTensor = graph.Own(graph.Backend.UploadIndices(indices, input.Shape));
        var y = graph.Gather(graph.Parameter(_table.Parameter), indexTensor);
        if (MaskZero)
        {
            var mask = new float[indices.Length];
            for (int i = 0; i < mask.Length; i++) mask[i] = indices[i] != 0 ? 1 : 0;
            y.Mask = graph.Own(graph.Backend.Upload(mask, input.Shape));
        }
        return y;
    }

    private int[] ToIndices(float[] values)
    {
        var indices = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v >= 0 && v < InputDim) || v != MathF.Floor(v))
                throw new ArgumentOutOfRangeException(nameof(values), v, $"{Title} expects integer indices in [0, {InputDim}), got {v} at position {i}.");
            indices[i] = (int)v;
        }
        return indices;
    }

    private static float[] Download(Graph graph, Node input)
    {
        var data = new float[input.Value.Length];
        graph.Backend.Download(input.Value, data);
        return data;
    }
}
