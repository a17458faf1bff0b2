namespace RnnGpu.Training;

/// <summary>
/// A value in <c>Fit</c>'s epoch logs that a callback watches for improvement (<see cref="EarlyStopping"/>,
/// <see cref="ModelCheckpoint"/>, <see cref="ReduceLROnPlateau"/>), with Keras's rule: a value improves on a reference
/// when it is better by more than <c>minDelta</c>.
/// </summary>
internal sealed class MonitoredQuantity
{
    private readonly string _callback;
    private bool _warned;

    public MonitoredQuantity(string callback, string name, MonitorMode mode, double minDelta)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, "monitor");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, $"{callback}: unknown monitor mode.");
        if (!double.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, $"{callback}: minDelta must be finite.");
        _callback = callback;
        Name = name;
        LowerIsBetter = mode switch
        {
            MonitorMode.Min => true,
            MonitorMode.Max => false,
            _ => !name.Contains("acc", StringComparison.OrdinalIgnoreCase),
        };
        MinDelta = Math.Abs(minDelta);
    }

    /// <summary>The log entry watched, e.g. <c>val_loss</c>.</summary>
    public string Name { get; }

    /// <summary>True for a loss (improves downwards), false for an accuracy.</summary>
    public bool LowerIsBetter { get; }

    /// <summary>How much better a value must be to count as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>A reference that every value improves on.</summary>
    public double Worst => LowerIsBetter ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>Whether <paramref name="value"/> is better than <paramref name="reference"/> by more than <see cref="MinDelta"/>.</summary>
    public bool Improves(double value, double reference) =>
        LowerIsBetter ? value + MinDelta < reference : value - MinDelta > reference;

    /// <summary>
    /// The watched value in this epoch's logs, or null when the logs lack it. As Keras, that is a warning, not an error
    /// (written once per training run to the model's output), since a run without validation data is still a run.
    /// </summary>
    public double? ValueIn(IReadOnlyDictionary<string, double> logs, TrainingContext context)
    {
        if (logs.TryGetValue(Name, out var value)) return value;
        if (!_warned)
            context.Model.Output.WriteLine($"Warning: {_callback} watches '{Name}', which this run does not log (it logs: {string.Join(", ", logs.Keys)})" +
                                           (Name.StartsWith("val_", StringComparison.Ordinal) ? "; validation values need validationData or validationSplit." : "."));
        _warned = true;
        return null;
    }

    /// <summary>Starts a new training run (warn again when the value is missing).</summary>
    public void Reset() => _warned = false;
}
