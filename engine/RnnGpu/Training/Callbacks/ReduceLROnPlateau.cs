namespace RnnGpu.Training;

/// <summary>
/// Keras <c>ReduceLROnPlateau</c>: multiplies the optimizer's learning rate by <see cref="Factor"/> once the monitored
/// quantity has not improved (by more than <see cref="MinDelta"/>) for <see cref="Patience"/> epochs, never going below
/// <see cref="MinLearningRate"/>; after a reduction it waits <see cref="Cooldown"/> epochs before counting again.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly MonitoredQuantity _monitor;
    private double _best;
    private int _wait, _cooldownLeft;

    /// <summary>Creates the callback (Keras defaults).</summary>
    /// <param name="monitor">The log entry to watch.</param>
    /// <param name="factor">The factor applied to the learning rate, in [0, 1).</param>
    /// <param name="patience">Epochs without improvement before a reduction.</param>
    /// <param name="mode">Whether the quantity should go down or up; <see cref="MonitorMode.Auto"/> decides from its name.</param>
    /// <param name="minDelta">An improvement smaller than this does not count.</param>
    /// <param name="cooldown">Epochs after a reduction during which no improvement is awaited.</param>
    /// <param name="minLearningRate">The learning rate never goes below this.</param>
    /// <param name="verbose">1 prints each reduction.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, MonitorMode mode = MonitorMode.Auto,
        double minDelta = 1e-4, int cooldown = 0, double minLearningRate = 0, int verbose = 0)
    {
        _monitor = new MonitoredQuantity(nameof(ReduceLROnPlateau), monitor, mode, minDelta);
        Factor = factor is >= 0 and < 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau: the factor must be in [0, 1).");
        Patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "ReduceLROnPlateau: patience must be >= 0.");
        Cooldown = cooldown >= 0 ? cooldown : throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "ReduceLROnPlateau: cooldown must be >= 0.");
        MinLearningRate = minLearningRate >= 0 && double.IsFinite(minLearningRate)
            ? minLearningRate
            : throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "ReduceLROnPlateau: the minimum learning rate must be zero or positive, and finite.");
        Verbose = verbose;
        _best = _monitor.Worst;
    }

    /// <summary>The log entry watched.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>The factor applied to the learning rate.</summary>
    public double Factor { get; }

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta => _monitor.MinDelta;

    /// <summary>Epochs after a reduction during which no improvement is awaited.</summary>
    public int Cooldown { get; }

    /// <summary>The learning rate's floor.</summary>
    public double MinLearningRate { get; }

    /// <summary>1 prints each reduction.</summary>
    public int Verbose { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        _monitor.Reset();
        _best = _monitor.Worst;
        _wait = 0;
        _cooldownLeft = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext context)
    {
        if (_monitor.ValueIn(logs, context) is not double current) return;
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _wait = 0;
        }
        if (_monitor.Improves(current, _best))
        {
            _best = current;
            _wait = 0;
            return;
        }
        if (_cooldownLeft > 0 || ++_wait < Patience) return;
        var optimizer = context.Model.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau needs a compiled model.");
        double old = optimizer.LearningRate;
        // Compared in float32, as Keras stores the rate: a rate floored at the minimum is not cut again by rounding.
        if ((float)old <= (float)MinLearningRate) return;
        optimizer.LearningRate = Math.Max(old * Factor, MinLearningRate);
        if (Verbose > 0) context.Model.Output.WriteLine(FormattableString.Invariant($"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {optimizer.LearningRate:G6}."));
        _cooldownLeft = Cooldown;
        _wait = 0;
    }
}
