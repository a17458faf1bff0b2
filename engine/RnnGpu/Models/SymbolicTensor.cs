using RnnGpu.Layers;

namespace RnnGpu;

/// <summary>A placeholder for a value in a functional model: its shape (without batch) and the layer call that produces it.</summary>
public class SymbolicTensor
{
    internal SymbolicTensor(int[] shape, LayerCall? producer, int outputIndex)
    {
        Shape = shape;
        Producer = producer;
        OutputIndex = outputIndex;
    }

    /// <summary>Shape without the batch dimension (-1 = unknown).</summary>
    public int[] Shape { get; }

    internal LayerCall? Producer { get; }

    internal int OutputIndex { get; }

    /// <inheritdoc />
    public override string ToString() => $"SymbolicTensor{ShapeUtil.Format([-1, .. Shape])}";
}

/// <summary>Keras <c>Input</c>: the entry of a functional model.</summary>
public sealed class Input : SymbolicTensor
{
    /// <summary>Declares an input.</summary>
    /// <param name="shape">Shape without batch; null entries are unknown (e.g. a variable number of steps).</param>
    /// <param name="batchSize">Fixed batch size (stateful models).</param>
    /// <param name="name">Optional name; by default its model names its inputs <c>input</c>, <c>input_1</c>, … in order.</param>
    public Input(int?[] shape, int? batchSize = null, string? name = null)
        : base(Array.ConvertAll(shape ?? throw new ArgumentNullException(nameof(shape)), d => d ?? -1), null, 0)
    {
        BatchSize = batchSize;
        Name = name ?? "";
    }

    /// <summary>Fixed batch size, or null.</summary>
    public int? BatchSize { get; }

    /// <summary>Name shown by <c>Summary</c> and in error messages.</summary>
    public string Name { get; internal set; }
}

/// <summary>One application of a layer in a model's graph.</summary>
internal sealed class LayerCall
{
    public LayerCall(Layer layer, SymbolicTensor[] inputs)
    {
        Layer = layer;
        Inputs = inputs;
        Outputs = [.. layer.Build([.. inputs.Select(i => i.Shape)]).Select((s, i) => new SymbolicTensor(s, this, i))];
    }

    public Layer Layer { get; }

    public SymbolicTensor[] Inputs { get; }

    public SymbolicTensor[] Outputs { get; }
}

/// <summary>Calling layers on symbolic tensors to build functional models.</summary>
public static class LayerCallExtensions
{
    /// <summary>Applies a layer to inputs; returns its first output.</summary>
    public static SymbolicTensor Call(this Layer layer, params SymbolicTensor[] inputs) => new LayerCall(layer, inputs).Outputs[0];

    /// <summary>Applies a layer to inputs; returns all its outputs (e.g. sequence, h and c of an LSTM with returnState).</summary>
    public static SymbolicTensor[] CallWithAllOutputs(this Layer layer, params SymbolicTensor[] inputs) => new LayerCall(layer, inputs).Outputs;
}
