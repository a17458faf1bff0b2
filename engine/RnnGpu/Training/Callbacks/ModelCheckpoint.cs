namespace RnnGpu.Training;

/// <summary>
/// Keras <c>ModelCheckpoint</c>: saves the model during training, after every epoch or every
/// <see cref="SaveFrequency"/> batches, or only when the monitored quantity improves on the best saved so far.
/// </summary>
/// <remarks>
/// A save writes <see cref="Model.SaveWeights"/>'s safetensors file, atomically, so an interrupted run leaves the last
/// complete checkpoint. By default it includes the optimizer's state (Keras saves the whole model), so that
/// <c>LoadWeights</c> on a model compiled with the same optimizer, then <c>Fit(…, initialEpoch: n)</c>, resumes training
/// where it stopped; <see cref="SaveWeightsOnly"/> leaves the optimizer out. (The architecture is not saved: the code
/// that built the model builds it again.) The file path may name values, as in Keras:
/// <c>"checkpoints/epoch{epoch:02d}-{val_loss:.4f}.safetensors"</c>; missing directories are created.
/// </remarks>
public sealed class ModelCheckpoint : Callback
{
    private readonly CheckpointPathTemplate _path;
    private readonly MonitoredQuantity _monitor;
    private int _epoch, _batchesSinceSave;

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">Where to save; may hold fields such as <c>{epoch:02d}</c> or <c>{val_loss:.4f}</c>.</param>
    /// <param name="monitor">The log entry that decides what is best, with <paramref name="saveBestOnly"/>.</param>
    /// <param name="saveBestOnly">Save only when the monitored quantity improves on the best saved so far.</param>
    /// <param name="saveWeightsOnly">Leave the optimizer's state out of the file.</param>
    /// <param name="mode">Whether the quantity should go down or up; <see cref="MonitorMode.Auto"/> decides from its name.</param>
    /// <param name="saveFrequency">Save every this many batches instead of after every epoch (the logs are then the epoch's running values).</param>
    /// <param name="initialValueThreshold">With <paramref name="saveBestOnly"/>, the value the first save must beat.</param>
    /// <param name="verbose">1 prints each save (and, with <paramref name="saveBestOnly"/>, each epoch that did not improve).</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false,
        MonitorMode mode = MonitorMode.Auto, int? saveFrequency = null, double? initialValueThreshold = null, int verbose = 0)
    {
        _path = new CheckpointPathTemplate(filepath);
        _monitor = new MonitoredQuantity(nameof(ModelCheckpoint), monitor, mode, 0);
        if (saveFrequency is < 1) throw new ArgumentOutOfRangeException(nameof(saveFrequency), saveFrequency, "ModelCheckpoint: saveFrequency is a number of batches, >= 1 (leave it null to save after every epoch).");
        FilePath = filepath;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        SaveFrequency = saveFrequency;
        Best = initialValueThreshold ?? _monitor.Worst;
        Verbose = verbose;
    }

    /// <summary>The file path, with its fields unfilled.</summary>
    public string FilePath { get; }

    /// <summary>The log entry that decides what is best.</summary>
    public string Monitor => _monitor.Name;

    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }

    /// <summary>Whether the optimizer's state is left out.</summary>
    public bool SaveWeightsOnly { get; }

    /// <summary>Batches between saves, or null to save after every epoch.</summary>
    public int? SaveFrequency { get; }

    /// <summary>1 prints each save.</summary>
    public int Verbose { get; }

    /// <summary>The best monitored value saved so far (with <see cref="SaveBestOnly"/>).</summary>
    public double Best { get; private set; }

    /// <summary>The file of the last save, or null before the first.</summary>
    public string? LastSavedPath { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        // Unlike EarlyStopping, the best value survives from one Fit to the next, as in Keras: a second run does not
        // overwrite a better checkpoint of the first.
        _monitor.Reset();
        _batchesSinceSave = 0;
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, TrainingContext context) => _epoch = epoch;

    /// <inheritdoc />
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs, TrainingContext context)
    {
        if (SaveFrequency is not int every || ++_batchesSinceSave < every) return;
        _batchesSinceSave = 0;
        Save(_epoch, batch, logs, context);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext context)
    {
        if (SaveFrequency is null) Save(epoch, null, logs, context);
    }

    private void Save(int epoch, int? batch, IReadOnlyDictionary<string, double> logs, TrainingContext context)
    {
        var model = context.Model;
        string path = _path.Format(epoch + 1, batch + 1, logs);
        if (SaveBestOnly && _monitor.ValueIn(logs, context) is double current)
        {
            string best = double.IsInfinity(Best) ? "inf" : Best.ToString("F5", System.Globalization.CultureInfo.InvariantCulture);
            if (!_monitor.Improves(current, Best))
            {
                if (Verbose > 0) model.Output.WriteLine($"Epoch {epoch + 1}: {Monitor} did not improve from {best}");
                return;
            }
            if (Verbose > 0) model.Output.WriteLine(FormattableString.Invariant($"Epoch {epoch + 1}: {Monitor} improved from {best} to {current:F5}, saving model to {path}"));
            Best = current;
        }
        else if (Verbose > 0) model.Output.WriteLine($"Epoch {epoch + 1}: saving model to {path}");
        if (Directory.Exists(path))
            throw new IOException($"ModelCheckpoint: '{path}' is a directory; give the path of a file (e.g. '{Path.Combine(path, "model.safetensors")}').");
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory) Directory.CreateDirectory(directory);
        model.SaveWeights(path, includeOptimizer: !SaveWeightsOnly);
        LastSavedPath = path;
    }
}
