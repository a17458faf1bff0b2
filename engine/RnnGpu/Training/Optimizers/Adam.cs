using RnnGpu.Backends;

namespace RnnGpu.Optimizers;

/// <summary>Keras <c>Adam</c>: defaults learning rate 0.001, β1 0.9, β2 0.999, epsilon 1e-7, with bias correction folded into the step size.</summary>
public sealed class Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7) : Optimizer(learningRate)
{
    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; } = beta1;

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; } = beta2;

    /// <summary>Added to the root of the second moment for stability.</summary>
    public double Epsilon { get; } = epsilon;

    /// <inheritdoc />
    public override string Name => "adam";

    /// <inheritdoc />
    protected internal override IReadOnlyList<string> SlotNames { get; } = ["momentum", "velocity"];

    /// <inheritdoc />
    protected override void Update(IBackend backend, DeviceTensor parameter, DeviceTensor gradient, DeviceTensor[] slots, long step) =>
        backend.AdamUpdate(parameter, gradient, slots[0], slots[1], LearningRate, Beta1, Beta2, Epsilon, step);
}
