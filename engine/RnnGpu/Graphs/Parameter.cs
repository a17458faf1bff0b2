using RnnGpu.Backends;

namespace RnnGpu.Graphs;

/// <summary>A trainable tensor that lives on a backend across training steps, with its gradient buffer.</summary>
public sealed class Parameter : IDisposable
{
    internal Parameter(string name, DeviceTensor value, bool trainable = true)
    {
        Name = name;
        Value = value;
        Trainable = trainable;
    }

    /// <summary>Keras-style path, e.g. <c>lstm/kernel</c>.</summary>
    public string Name { get; }

    /// <summary>Current value.</summary>
    public DeviceTensor Value { get; }

    /// <summary>Shape of the value.</summary>
    public int[] Shape => Value.Shape;

    /// <summary>Whether optimizers update it.</summary>
    public bool Trainable { get; }

    /// <summary>Gradient of the current step (same shape as <see cref="Value"/>), allocated on first use.</summary>
    public DeviceTensor Grad => _grad ??= Value.Backend.Allocate(Value.Shape);

    /// <summary>True once a gradient buffer exists.</summary>
    internal bool HasGrad => _grad is not null;

    private DeviceTensor? _grad;

    /// <summary>Sets the gradient to zero before a step.</summary>
    public void ZeroGrad()
    {
        if (_grad is not null) Value.Backend.Fill(_grad, 0);
    }

    /// <summary>Copies the value to host memory.</summary>
    public Tensor ToHost() => Value.ToHost();

    /// <inheritdoc />
    public void Dispose()
    {
        Value.Dispose();
        _grad?.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} {ShapeUtil.Format(Shape)}";
}
