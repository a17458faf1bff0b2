namespace RnnGpu.Training;

/// <summary>Hooks into <c>Fit</c> (Keras callbacks). Set <see cref="TrainingContext.StopTraining"/> to end training early.</summary>
public abstract class Callback
{
    /// <summary>Before the first epoch of a <c>Fit</c>.</summary>
    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>After the last epoch of a <c>Fit</c>, also when a callback stopped training early.</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>Before an epoch.</summary>
    public virtual void OnEpochBegin(int epoch, TrainingContext context) { }

    /// <summary>After an epoch with its logs (loss, metrics, validation values).</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext context) { }

    /// <summary>After a training batch with its running logs.</summary>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs, TrainingContext context) { }
}

/// <summary>What a callback can see and steer.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Model model) => Model = model;

    /// <summary>The model being trained (its optimizer's learning rate may be changed).</summary>
    public Model Model { get; }

    /// <summary>Set to end training: after the current batch (validation and <c>OnEpochEnd</c> still run for the epoch), as in Keras.</summary>
    public bool StopTraining { get; set; }
}

/// <summary>A callback from delegates, for one-off hooks in examples and tests.</summary>
public sealed class LambdaCallback(
    Action<int, IReadOnlyDictionary<string, double>, TrainingContext>? onEpochEnd = null,
    Action<int, TrainingContext>? onEpochBegin = null,
    Action<int, IReadOnlyDictionary<string, double>, TrainingContext>? onBatchEnd = null) : Callback
{
    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, TrainingContext context) => onEpochBegin?.Invoke(epoch, context);

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs, TrainingContext context) => onEpochEnd?.Invoke(epoch, logs, context);

    /// <inheritdoc />
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs, TrainingContext context) => onBatchEnd?.Invoke(batch, logs, context);
}

/// <summary>Keras <c>LearningRateScheduler</c>: sets the learning rate at the start of each epoch from (epoch, current rate).</summary>
public sealed class LearningRateScheduler(Func<int, double, double> schedule) : Callback
{
    /// <inheritdoc />
    public override void OnEpochBegin(int epoch, TrainingContext context)
    {
        var optimizer = context.Model.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler needs a compiled model.");
        optimizer.LearningRate = schedule(epoch, optimizer.LearningRate);
    }
}
