using RnnGpu.Backends;

namespace RnnGpu.Optimizers;

/// <summary>Keras <c>SGD</c> (default learning rate 0.01), with optional momentum and Nesterov momentum.</summary>
public sealed class Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false) : Optimizer(learningRate)
{
    /// <summary>Momentum factor in [0, 1).</summary>
    public double Momentum { get; } = momentum is >= 0 and < 1 ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; } = nesterov;

    /// <inheritdoc />
    public override string Name => "sgd";

    /// <inheritdoc />
    protected internal override IReadOnlyList<string> SlotNames => Momentum > 0 ? ["momentum"] : [];

    /// <inheritdoc />
    protected override void Update(IBackend backend, DeviceTensor parameter, DeviceTensor gradient, DeviceTensor[] slots, long step) =>
        backend.SgdUpdate(parameter, gradient, slots.Length > 0 ? slots[0] : null, LearningRate, Momentum, Nesterov);
}
