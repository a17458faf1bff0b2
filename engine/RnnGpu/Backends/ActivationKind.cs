namespace RnnGpu;

/// <summary>Pointwise activation functions, by their Keras names.</summary>
public enum ActivationKind
{
    /// <summary>f(x) = x ("linear" in Keras).</summary>
    Linear,
    /// <summary>f(x) = tanh(x).</summary>
    Tanh,
    /// <summary>f(x) = 1 / (1 + exp(-x)).</summary>
    Sigmoid,
    /// <summary>f(x) = max(0, x).</summary>
    Relu,
    /// <summary>Row-wise softmax over the last axis; only valid where a whole row is available (Dense, Activation).</summary>
    Softmax,
}
