namespace RnnGpu.Training;

/// <summary>
/// Keras <c>EarlyStopping</c>: stops training once the monitored quantity has not improved for
/// <see cref="Patience"/> epochs, optionally putting back the weights of the best epoch.
/// </summary>
/// <remarks>
/// Keras's rules, kept exactly: an epoch improves when it beats the best so far by more than <see cref="MinDelta"/>;
/// with a <see cref="Baseline"/>, the patience count restarts only when the value also beats the baseline; training
/// never stops after the first epoch; epochs before <see cref="StartFromEpoch"/> are ignored. With
/// <see cref="RestoreBestWeights"/>, the best epoch's weights are restored at the end of training whether or not it
/// stopped early (the optimizer's state is kept, as by <see cref="Model.SetWeights"/>).
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private readonly MonitoredQuantity _monitor;
    private int _wait;
    private IReadOnlyList<Tensor>? _bestWeights;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log entry to watch: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>.</param>
    /// <param name="minDelta">An improvement smaller than this does not count (its sign is ignored).</param>
    /// <param name="patience">Epochs without improvement before training stops.</param>
    /// <param name="mode">Whether the quantity should go down or up; <see cref="MonitorMode.Auto"/> decides from its name.</param>
    /// <param name="baseline">A value the quantity must beat before the patience count restarts.</param>
    /// <param name="restoreBestWeights">At the end of training, put back the weights of the best epoch.</param>
    /// <param name="startFromEpoch">Epochs to train before watching (warm-up).</param>
    /// <param name="verbose">1 prints the epoch at which training stopped and which weights were restored.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto,
        double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0, int verbose = 0)
    {
        _monitor = new MonitoredQuantity(nameof(EarlyStopping), monitor, mode, minDelta);
        Patience = patience >= 0 ? patience : throw new ArgumentOutOfRangeException(nameof(patience), patience, "EarlyStopping: patience must be >= 0.");
        StartFromEpoch = startFromEpoch >= 0 ? startFromEpoch : throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, "EarlyStopping: startFromEpoch must be >= 0.");
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        Verbose = verbose;
        Best = _monitor.Worst;
    }

    /// <summary>The log entry watched.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta => _monitor.MinDelta;

    /// <summary>Epochs without improvement before training stops.</summary>
    public int Patience { get; }

    /// <summary>A value the quantity must beat before the patience count restarts.</summary>
    public double? Baseline { get; }

    /// <summary>Whether the best epoch's weights are put back at the end of training.</summary>
    public bool RestoreBestWeights { get; }

    /// <summary>Epochs trained before the quantity is watched.</summary>
    public int StartFromEpoch { get; }

    /// <summary>1 prints what the callback did.</summary>
    public int Verbose { get; }

    /// <summary>The best value seen in the last training run.</summary>
    public double Best { get; private set; }

    /// <summary>The epoch (0-based) of <see cref="Best"/>.</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The epoch (0-based) after which training was stopped, or 0 when it ran to the end.</summary>
    public int StoppedEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        _monitor.Reset();
        _wait = 0;
        _bestWeights = null;
        Best = _monitor.Worst;
        BestEpoch = 0;
        StoppedEpoch = 0;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext context)
    {
        if (_monitor.ValueIn(logs, context) is not double current || epoch < StartFromEpoch) return;
        if (RestoreBestWeights && _bestWeights is null)
        {
            // Until an epoch improves, the weights at hand are the best known.
            _bestWeights = context.Model.GetWeights();
            BestEpoch = epoch;
        }
        _wait++;
        if (_monitor.Improves(current, Best))
        {
            Best = current;
            BestEpoch = epoch;
            if (RestoreBestWeights) _bestWeights = context.Model.GetWeights();
            if (Baseline is not double baseline || _monitor.Improves(current, baseline)) _wait = 0;
            return;
        }
        if (_wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            context.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        if (StoppedEpoch > 0 && Verbose > 0) context.Model.Output.WriteLine($"Epoch {StoppedEpoch + 1}: early stopping");
        if (!RestoreBestWeights || _bestWeights is null) return;
        if (Verbose > 0) context.Model.Output.WriteLine($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
        context.Model.SetWeights(_bestWeights);
    }
}
