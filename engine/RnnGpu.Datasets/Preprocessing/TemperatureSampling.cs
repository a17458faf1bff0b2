namespace RnnGpu.Datasets;

/// <summary>
/// Draws an index from a probability vector reshaped by a temperature, as the Keras text-generation
/// tutorial does: <c>softmax(log(p) / T)</c>, then one categorical draw. T below 1 sharpens the
/// distribution toward the most likely index, T above 1 flattens it.
/// </summary>
public static class TemperatureSampling
{
    /// <summary>Temperatures at or below this pick the arg-max directly (the limit T → 0).</summary>
    public const double GreedyThreshold = 1e-6;

    /// <summary>Samples an index of <paramref name="probabilities"/> at <paramref name="temperature"/> using <paramref name="random"/>.</summary>
    /// <exception cref="ArgumentException">The vector is empty, has a negative, infinite or NaN entry, or has no positive entry.</exception>
    public static int Sample(ReadOnlySpan<float> probabilities, double temperature, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (probabilities.IsEmpty)
            throw new ArgumentException("The probability vector is empty.", nameof(probabilities));
        ArgumentOutOfRangeException.ThrowIfNegative(temperature);

        int argMax = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (!float.IsFinite(probabilities[i]) || probabilities[i] < 0)
                throw new ArgumentException($"Probability {i} is {probabilities[i]}; each must be finite and >= 0 (a NaN usually means the model's output diverged).", nameof(probabilities));
            if (probabilities[i] > probabilities[argMax])
                argMax = i;
        }
        if (!(probabilities[argMax] > 0))
            throw new ArgumentException("The probability vector has no positive entry.", nameof(probabilities));
        if (temperature <= GreedyThreshold)
            return argMax;

        // log(p)/T shifted by its maximum before exp, so large 1/T cannot overflow; p = 0 gets weight 0.
        double maxLogit = Math.Log(probabilities[argMax]) / temperature;
        var weights = new double[probabilities.Length];
        double total = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            weights[i] = probabilities[i] > 0 ? Math.Exp(Math.Log(probabilities[i]) / temperature - maxLogit) : 0;
            total += weights[i];
        }

        double draw = random.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            draw -= weights[i];
            if (draw < 0)
                return i;
        }
        // Rounding can leave a sliver of mass; it belongs to the last index with positive weight.
        for (int i = weights.Length - 1; i >= 0; i--)
            if (weights[i] > 0)
                return i;
        return argMax;
    }
}
