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

    /// <summary>Whether optimizers update it.</summary>
    public bool Trainable { get; }

    /// <summary>Number of elements.</summary>
    public int Size => ShapeUtil.Size(Shape);

    /// <summary>The backend tensor, once the model has been placed on a backend.</summary>
    public Parameter Parameter => _parameter ?? throw new InvalidOperationException($"Weight '{Path}' has no value yet: compile or build the model first.");

    internal bool IsMaterialized => _parameter is not null;

    private Parameter? _parameter;

    /// <summary>Draws initial values on the host and uploads them (replacing any previous parameter).</summary>
    internal void Materialize(IBackend backend, Random random)
    {
        var data = new float[Size];
        Initializer.Fill(data, Shape, random);
        _parameter?.Dispose();
        _parameter = new Parameter(Path, backend.Upload(data, Shape), Trainable);
    }

    /// <summary>Uses another weight's parameter (a wrapper layer exposing its inner layer's weights).</summary>
    internal void Share(Weight inner) => _parameter = inner.Parameter;

    /// <summary>Replaces the values (shape already checked by the caller).</summary>
    internal void Assign(Tensor value) 
    {
        var p = Parameter;
        var fresh = p.Value.Backend.Upload(value.Data, Shape);
        p.Value.Backend.Copy(fresh, p.Value);
        fresh.Dispose();
    }
}
