using RnnGpu.Layers;

namespace RnnGpu;

/// <summary>Keras <c>Sequential</c>: a plain stack of single-input layers; the first declares the input shape (or it is taken from the first data).</summary>
public sealed class Sequential : Model
{
    private readonly List<Layer> _stack = [];

    /// <summary>Creates a model from layers in order.</summary>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : base(name ?? "sequential")
    {
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Creates a model from layers in order.</summary>
    public Sequential(params Layer[] layers) : this((IEnumerable<Layer>)layers) { }

    /// <summary>Appends a layer (before the model is built).</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (Backend is not null) throw new InvalidOperationException($"Cannot add layer '{layer.Name}' to model '{Name}' after it was built.");
        _stack.Add(layer);
        if (_stack[0].DeclaredInputShape is { } shape) Define(shape);
    }

    /// <inheritdoc />
    protected override void BuildFromData(int[] inputShape) => Define(inputShape);

    private void Define(int[] inputShape)
    {
        if (_stack.Count == 0) throw new InvalidOperationException($"Model '{Name}' has no layers.");
        var input = new Input(Array.ConvertAll(inputShape, d => d < 0 ? (int?)null : d), _stack[0].DeclaredBatchSize ?? _stack.Select(l => l.DeclaredBatchSize).FirstOrDefault(b => b is not null));
        NameLayers(_stack);
        SymbolicTensor x = input;
        foreach (var layer in _stack) x = layer.Call(x);
        SetGraph([input], [x]);
    }
}
