using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>A weight a layer declared: its name, shape and initializer, and once the model is placed on a backend, its <see cref="Parameter"/>.</summary>
public sealed class Weight
{
    internal Weight(Layer owner, string name, int[] shape, Initializer initializer, bool trainable)
    {
        Owner = owner;
        Name = name;
        Shape = shape;
        Initializer = initializer;
        Trainable = trainable;
    }

    /// <summary>The layer that declared it.</summary>
    public Layer Owner { get; }

    /// <summary>Short name, e.g. <c>kernel</c>.</summary>
    public string Name { get; }

    /// <summary>Full Keras-style path, e.g. <c>lstm/kernel</c>.</summary>
    public string Path => $"{Owner.Name}/{Name}";

    /// <summary>Shape.</summary>
    public int[] Shape { get; }

    /// <summary>How new values are drawn.</summary>
    public Initializer Initializer { get; }

    /// <summary>The wrapped layer's weight that this one is a view of (a <see cref="TimeDistributed"/> or <see cref="Bidirectional"/> wrapper's), or null.</summary>
    internal Weight? Mirrors { get; init; }

    /// <summary>The weight that holds the value: this one, or the one it mirrors.</summary>
    internal Weight Root => Mirrors?.Root ?? this;

    /// <summary>Whether optimizers update it.</summary>
    public bool Trainable { get; }

    /// <summary>Number of elements.</summary>
    public int Size => ShapeUtil.Size(Shape);

    /// <summary>The backend tensor, once the model has been placed on a backend.</summary>
    public Parameter Parameter => _parameter ?? throw new InvalidOperationException($"Weight '{Path}' has no value yet: compile or build the model first.");

    internal bool IsMaterialized => _parameter is not null;

    /// <summary>The backend that holds the value, or null before the weight is placed.</summary>
    internal IBackend? Backend => _parameter?.Value.Backend;

    private Parameter? _parameter;

    /// <summary>The value, kept on the host after <see cref="Release"/> freed it on its backend.</summary>
    private float[]? _released;

    /// <summary>
    /// Puts the weight on <paramref name="backend"/>: a weight that never had a value gets initial values drawn on the
    /// host; one that has (or had) a value keeps it (Keras: a layer's weights live as long as the layer), moved over
    /// from another backend. A mirror takes the parameter of the weight it mirrors, which its wrapper placed first.
    /// </summary>
    internal void Place(IBackend backend, Random random)
    {
        if (Mirrors is { } inner)
        {
            _parameter = inner.Parameter;
            return;
        }
        if (ReferenceEquals(Backend, backend)) return;
        var data = _released ?? new float[Size];
        if (_parameter is not null) _parameter.Value.Backend.Download(_parameter.Value, data);
        else if (_released is null) Initializer.Fill(data, Shape, random);
        _parameter?.Dispose();
        _parameter = new Parameter(Path, backend.Upload(data, Shape), Trainable);
        _released = null;
    }

    /// <summary>
    /// Frees the value on its backend, keeping a host copy: a model built later over the same layer (after the model
    /// that trained it was disposed) starts from the trained value, as in Keras. A mirror only lets go: the weight it
    /// mirrors owns the value.
    /// </summary>
    internal void Release()
    {
        if (Mirrors is not null)
        {
            _parameter = null;
            return;
        }
        if (_parameter is null) return;
        try
        {
            var copy = new float[Size];
            _parameter.Value.Backend.Download(_parameter.Value, copy);
            _released = copy;
        }
        catch (Exception e) when (e is ObjectDisposedException or Cuda.CudaException)
        {
            // The backend is gone (disposed first, or its device failed): the value went with it.
            _released = null;
        }
        _parameter.Dispose();
        _parameter = null;
    }

    /// <summary>Replaces the values (shape already checked by the caller).</summary>
    internal void Assign(Tensor value) 
    {
        var p = Parameter;
        var fresh = p.Value.Backend.Upload(value.Data, Shape);
        p.Value.Backend.Copy(fresh, p.Value);
        fresh.Dispose();
    }
}
