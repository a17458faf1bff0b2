namespace RnnGpu.Training;

/// <summary>
/// Keras's <c>sample_weight</c> and <c>class_weight</c> for <c>Fit</c> and <c>Evaluate</c>: checked once against the
/// targets, then spread over each batch's output rows.
/// </summary>
internal static class SampleWeights
{
    /// <summary>
    /// Checks weights against the targets: <c>[N]</c> (or a column <c>[N, 1]</c>, as Keras broadcasts it), or
    /// <c>[N, T]</c> when the output is a sequence (<paramref name="outputShape"/> without batch is <c>[T, C]</c>);
    /// finite and not negative. Returns them as <c>[N]</c> or <c>[N, T]</c>.
    /// </summary>
    public static Tensor Check(Tensor weights, Tensor y, int[] outputShape, string argument)
    {
        int n = y.Shape[0];
        bool sequence = outputShape.Length == 2 && y.Rank >= 2;
        if (weights.Rank == 2 && weights.Shape[0] == n && weights.Shape[1] == 1 && !(sequence && y.Shape[1] == 1)) weights = weights.Reshape(n);
        bool perSample = weights.Rank == 1 && weights.Shape[0] == n;
        bool perStep = weights.Rank == 2 && sequence && weights.Shape[0] == n && weights.Shape[1] == y.Shape[1];
        if (!perSample && !perStep)
            throw new ArgumentException($"{argument} must be one weight per sample, [{n}]{(sequence ? $", or per sample and step, [{n}, {y.Shape[1]}]" : "")}; " +
                                        $"got {ShapeUtil.Format(weights.Shape)}.", argument);
        for (int i = 0; i < weights.Length; i++)
            if (!float.IsFinite(weights.Data[i]) || weights.Data[i] < 0)
                throw new ArgumentException($"{argument} holds {weights.Data[i]} at flat position {i}; weights must be finite and not negative.", argument);
        return weights;
    }

    /// <summary>
    /// One weight per sample from the weight of its class: <paramref name="y"/> holds a class index per sample
    /// (<c>[N]</c> or <c>[N, 1]</c>) or one-hot rows <c>[N, C]</c> (their arg-max), as Keras reads them.
    /// </summary>
    public static Tensor FromClassWeights(Tensor y, IReadOnlyDictionary<int, double> classWeight, int[] outputShape, string argument)
    {
        foreach (var (label, weight) in classWeight)
            if (!double.IsFinite(weight) || weight < 0)
                throw new ArgumentException($"{argument}[{label}] is {weight}; class weights must be finite and not negative.", argument);
        int n = y.Shape[0];
        // Keras would read sparse per-step targets [N, T] as one-hot rows and weight each sample by its arg-max step.
        int columns = outputShape.Length != 1 ? 0 : y.Rank == 1 ? 1 : y.Rank == 2 ? y.Shape[1] : 0;
        if (columns == 0)
            throw new ArgumentException($"{argument} needs one class per sample, targets [N] or [N, classes]; got {ShapeUtil.Format(y.Shape)}. " +
                                        "For a class per timestep, pass sampleWeight [N, T] built from the targets instead.", argument);
        var weights = new float[n];
        for (int i = 0; i < n; i++)
        {
            var row = y.Data.AsSpan(i * columns, columns);
            int label = columns == 1 ? (int)MathF.Round(row[0]) : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row);
            weights[i] = (float)classWeight.GetValueOrDefault(label, 1.0);
        }
        return new Tensor(weights, n);
    }

    /// <summary>The weights of a batch spread over its <paramref name="rows"/> output rows (a sample's weight on each of its steps).</summary>
    public static float[] PerRow(Tensor weights, int rows)
    {
        if (weights.Length == rows) return weights.Data;
        int repeat = rows / weights.Shape[0];
        var result = new float[rows];
        for (int r = 0; r < rows; r++) result[r] = weights.Data[r / repeat];
        return result;
    }
}
