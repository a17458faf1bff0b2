using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>Keras <c>Dense</c>: y = activation(x·W + b) over the last axis (so it also applies per timestep to a sequence).</summary>
public sealed class Dense : SingleInputLayer
{
    /// <summary>Creates a dense layer.</summary>
    /// <param name="units">Output features.</param>
    /// <param name="activation">Activation (Keras default: linear).</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">Default glorot_uniform.</param>
    /// <param name="biasInitializer">Default zeros.</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, on a first layer.</param>
    /// <param name="batchSize">Fixed batch size, on a first layer.</param>
    public Dense(int units, ActivationKind activation = ActivationKind.Linear, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null) : base(name, inputShape, batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        ActivationFunction = activation;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializer.Zeros;
    }

    /// <inheritdoc />
    public override string TypeName => "Dense";

    /// <summary>Output features.</summary>
    public int Units { get; }

    /// <summary>The activation applied to x·W + b.</summary>
    public ActivationKind ActivationFunction { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>Kernel initializer.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Bias initializer.</summary>
    public Initializer BiasInitializer { get; }

    private Weight _kernel = null!;
    private Weight? _bias;

    /// <inheritdoc />
    protected override void Build(int[] inputShape)
    {
        if (inputShape.Length == 0 || inputShape[^1] < 1) throw ShapeError("with a known last dimension", inputShape);
        _kernel = AddWeight("kernel", [inputShape[^1], Units], KernelInitializer);
        if (UseBias) _bias = AddWeight("bias", [Units], BiasInitializer);
    }

    internal override int[] OutputShapeOf(int[] inputShape) => [.. inputShape[..^1], Units];

    // Keras's input spec: only the feature axis is fixed (here a row or a sequence of rows).
    internal override void CheckLaterInput(int[] inputShape)
    {
        if (inputShape.Length is < 1 or > 2 || (inputShape[^1] >= 0 && inputShape[^1] != _kernel.Shape[0])) throw LaterCallError(inputShape);
    }

    internal override Node Forward(Graph graph, Node input, LayerContext context)
    {
        if (input.Shape[^1] != _kernel.Shape[0]) throw ShapeError($"with last dimension {_kernel.Shape[0]}", input.Shape[1..]);
        var y = graph.MatMul(input, graph.Parameter(_kernel.Parameter)).WithMaskOf(input);
        if (_bias is not null) y = graph.AddBias(y, graph.Parameter(_bias.Parameter));
        return graph.Activation(ActivationFunction, y);
    }
}
