using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Optimizers;

/// <summary>
/// Base of the optimizers: Keras semantics and defaults, optional gradient clipping (per-tensor norm, global norm,
/// value), and a learning rate that may change between steps (callbacks, schedules). Each update is one fused
/// backend op per parameter; slot tensors (momentum, averages) live on the parameter's backend.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<Parameter, DeviceTensor[]> _slots = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the common part.</summary>
    protected Optimizer(double learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>Keras name, e.g. <c>adam</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Step size; may be changed at any time (takes effect at the next step). Zero is allowed, as in Keras (a schedule
    /// that decays to 0 freezes the weights).
    /// </summary>
    public double LearningRate
    {
        get;
        set => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "The learning rate must be zero or positive, and finite.");
    }

    /// <summary>Keras <c>clipnorm</c>: each gradient tensor is rescaled to at most this L2 norm.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>Keras <c>global_clipnorm</c>: all gradients together are rescaled to at most this L2 norm.</summary>
    public double? GlobalClipNorm { get; init; }

    /// <summary>Keras <c>clipvalue</c>: each gradient element is clipped to [-v, v].</summary>
    public double? ClipValue { get; init; }

    /// <summary>Number of updates applied so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>Number of slot tensors per parameter.</summary>
    protected abstract int SlotCount { get; }

    /// <summary>Applies one update from the accumulated gradients, then zeroes them.</summary>
    internal void Apply(IReadOnlyList<Parameter> parameters)
    {
        var trainable = parameters.Where(p => p.Trainable && p.HasGrad).ToList();
        Clip(trainable);
        Iterations++;
        foreach (var p in trainable)
        {
            if (!_slots.TryGetValue(p, out var slots))
                _slots[p] = slots = [.. Enumerable.Range(0, SlotCount).Select(_ => p.Value.Backend.Allocate(p.Shape))];
            Update(p.Value.Backend, p.Value, p.Grad, slots, Iterations);
            p.ZeroGrad();
        }
    }

    /// <summary>One fused update of a parameter from its gradient.</summary>
    protected abstract void Update(IBackend backend, DeviceTensor parameter, DeviceTensor gradient, DeviceTensor[] slots, long step);

    /// <summary>Drops the slot state (e.g. after weights were replaced).</summary>
    public void Reset()
    {
        foreach (var slots in _slots.Values) foreach (var s in slots) s.Dispose();
        _slots.Clear();
        Iterations = 0;
    }

    private void Clip(List<Parameter> parameters)
    {
        if (ClipValue is double v) foreach (var p in parameters) p.Value.Backend.Clip(p.Grad, -v, v);
        if (ClipNorm is double n)
            foreach (var p in parameters)
            {
                double norm = Math.Sqrt(p.Value.Backend.SumOfSquares(p.Grad));
                if (norm > n) p.Value.Backend.Scale(p.Grad, n / norm);
            }
        if (GlobalClipNorm is double g)
        {
            double norm = Math.Sqrt(parameters.Sum(p => p.Value.Backend.SumOfSquares(p.Grad)));
            if (norm > g) foreach (var p in parameters) p.Value.Backend.Scale(p.Grad, g / norm);
        }
    }

    /// <summary>Looks an optimizer up by its Keras name, with Keras defaults.</summary>
    public static Optimizer FromName(string name) => name.ToLowerInvariant() switch
    {
        "sgd" => new Sgd(),
        "rmsprop" => new RmsProp(),
        "adam" => new Adam(),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'. Known: sgd, rmsprop, adam.", nameof(name)),
    };
}
