using System.Numerics;

namespace RnnGpu.Backends.Cpu;

/// <summary>Scalar activation functions and their derivatives, written once for every element type.</summary>
internal static class ActivationMath
{
    /// <summary>f(x) for the pointwise activations (not softmax).</summary>
    public static T Apply<T>(ActivationKind kind, T x) where T : IFloatingPointIeee754<T> => kind switch
    {
        ActivationKind.Tanh => T.Tanh(x),
        ActivationKind.Sigmoid => T.One / (T.One + T.Exp(-x)),
        ActivationKind.Relu => x > T.Zero ? x : T.Zero,
        ActivationKind.Linear => x,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pointwise activation."),
    };

    /// <summary>f'(x) expressed through y = f(x), which is what the forward pass keeps.</summary>
    public static T DerivativeFromOutput<T>(ActivationKind kind, T y) where T : IFloatingPointIeee754<T> => kind switch
    {
        ActivationKind.Tanh => T.One - y * y,
        ActivationKind.Sigmoid => y * (T.One - y),
        ActivationKind.Relu => y > T.Zero ? T.One : T.Zero,
        ActivationKind.Linear => T.One,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pointwise activation."),
    };
}
