using RnnGpu.Backends;

namespace RnnGpu.Optimizers;

/// <summary>Keras <c>RMSprop</c>: defaults learning rate 0.001, rho 0.9, epsilon 1e-7.</summary>
public sealed class RmsProp(double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-7) : Optimizer(learningRate)
{
    /// <summary>Decay of the running mean of squared gradients.</summary>
    public double Rho { get; } = rho;

    /// <summary>Added to the root mean square for stability.</summary>
    public double Epsilon { get; } = epsilon;

    /// <inheritdoc />
    public override string Name => "rmsprop";

    /// <inheritdoc />
    protected internal override IReadOnlyList<string> SlotNames { get; } = ["velocity"];

    /// <inheritdoc />
    protected override void Update(IBackend backend, DeviceTensor parameter, DeviceTensor gradient, DeviceTensor[] slots, long step) =>
        backend.RmsPropUpdate(parameter, gradient, slots[0], LearningRate, Rho, Epsilon);
}
