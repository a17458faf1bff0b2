namespace RnnGpu.Training;

/// <summary>
/// Keras's regression metrics by name, <c>"mae"</c> / <c>"mean_absolute_error"</c> and <c>"mse"</c> /
/// <c>"mean_squared_error"</c>: each row's mean error over the last axis, averaged over the unmasked rows as the loss is.
/// Computed on the host from the batch's output, which is small next to the step that produced it.
/// </summary>
/// <param name="Name">The name given to <c>Compile</c>, which is also the key in the logs (<c>val_</c> prefixed for validation).</param>
/// <param name="Squared">Squared error rather than absolute.</param>
internal sealed record RegressionMetric(string Name, bool Squared)
{
    /// <summary>The metric a name stands for, or null when it is not a regression metric.</summary>
    public static RegressionMetric? FromName(string name) => name switch
    {
        "mae" or "mean_absolute_error" => new(name, Squared: false),
        "mse" or "mean_squared_error" => new(name, Squared: true),
        _ => null,
    };

    /// <summary>Σ over the rows whose mask entry is not 0 (every row without a mask) of the row's mean error.</summary>
    public double Sum(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, float[]? mask, int columns)
    {
        double sum = 0;
        for (int r = 0; r < predictions.Length / columns; r++)
        {
            if (mask is not null && mask[r] == 0) continue;
            double row = 0;
            for (int c = r * columns; c < (r + 1) * columns; c++)
            {
                double e = predictions[c] - targets[c];
                row += Squared ? e * e : Math.Abs(e);
            }
            sum += row / columns;
        }
        return sum;
    }
}
