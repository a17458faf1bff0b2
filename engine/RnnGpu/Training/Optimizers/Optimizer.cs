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

    /// <summary>The model compiled with this optimizer, whose weights its state belongs to.</summary>
    internal Model? Owner { get; set; }

    /// <summary>Number of updates applied so far.</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// Names of the slot tensors each trainable parameter gets, in the order <see cref="Update"/> receives them (Keras 3's
    /// names: <c>momentum</c>, <c>velocity</c>). They name the optimizer's tensors in a weight file.
    /// </summary>
    protected internal abstract IReadOnlyList<string> SlotNames { get; }

    /// <summary>Applies one update from the accumulated gradients, then zeroes them.</summary>
    internal void Apply(IReadOnlyList<Parameter> parameters)
    {
        var trainable = parameters.Where(p => p.Trainable && p.HasGrad).ToList();
        Clip(trainable);
        Iterations++;
        foreach (var p in trainable)
        {
            if (!_slots.TryGetValue(p, out var slots))
                _slots[p] = slots = [.. SlotNames.Select(_ => p.Value.Backend.Allocate(p.Shape))];
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

    /// <summary>The slot tensors created so far (a parameter gets its slots at its first update).</summary>
    internal DeviceTensor[]? SlotsOf(Parameter parameter) => _slots.GetValueOrDefault(parameter);

    /// <summary>
    /// Replaces the whole state: the update count, the learning rate and the slots of the given parameters (host values,
    /// shapes checked by the caller, one per slot name). Parameters not given start with fresh slots at their next update.
    /// </summary>
    internal void Restore(long iterations, double learningRate, IReadOnlyList<(Parameter Parameter, Tensor[] Slots)> slots)
    {
        LearningRate = learningRate;
        Reset();
        Iterations = iterations;
        foreach (var (p, values) in slots)
            _slots[p] = [.. values.Select(v => p.Value.Backend.Upload(v.Data, p.Shape))];
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
