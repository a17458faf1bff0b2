using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;
using RnnGpu.Training;

namespace RnnGpu.Tests.Training;

/// <summary>
/// <see cref="EarlyStopping"/> and <see cref="ReduceLROnPlateau"/> follow Keras's rules epoch by epoch (the expected
/// epochs are worked out from Keras's source by hand), and act on a real <c>Fit</c>.
/// </summary>
public class MonitorCallbackTests
{
    private static Sequential NewModel(double learningRate = 0.1)
    {
        var model = new Sequential(new SimpleRnn(4, inputShape: [3, 2]), new Dense(2, ActivationKind.Softmax));
        model.Compile(new Sgd(learningRate), new SparseCategoricalCrossentropy(), ["accuracy"], device: Device.Cpu, seed: 1);
        model.Output = TextWriter.Null;
        return model;
    }

    /// <summary>Feeds a callback one monitored value per epoch, as Fit would; returns the epoch training stopped at, or -1.</summary>
    private static int Drive(Callback callback, TrainingContext context, string name, params double[] values)
    {
        callback.OnTrainBegin(context);
        for (int epoch = 0; epoch < values.Length; epoch++)
        {
            callback.OnEpochBegin(epoch, context);
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { [name] = values[epoch] }, context);
            if (context.StopTraining) { callback.OnTrainEnd(context); return epoch; }
        }
        callback.OnTrainEnd(context);
        return -1;
    }

    [TestCase(0, new[] { 0.5, 0.4, 0.45, 0.3 }, 2, TestName = "Patience 0 stops at the first epoch that does not improve")]
    [TestCase(2, new[] { 0.5, 0.4, 0.45, 0.46, 0.3 }, 3, TestName = "Patience 2 stops after two epochs without improvement")]
    [TestCase(2, new[] { 0.5, 0.4, 0.45, 0.3, 0.35, 0.36 }, 5, TestName = "An improvement restarts the patience count")]
    [TestCase(0, new[] { 0.5, 0.6 }, 1, TestName = "Never stops after the first epoch, even with patience 0")]
    [TestCase(1, new[] { 0.5, 0.4, 0.45, 0.3 }, 2, TestName = "Patience 1 acts as 0, as in Keras (the count rises before the check)")]
    [TestCase(1, new[] { 0.5, 0.4, 0.3, 0.2 }, -1, TestName = "Training that keeps improving runs to the end")]
    public void Early_stopping_epochs(int patience, double[] losses, int stopsAt)
    {
        var context = new TrainingContext(NewModel());
        var callback = new EarlyStopping("val_loss", patience: patience);
        Assert.That(Drive(callback, context, "val_loss", losses), Is.EqualTo(stopsAt));
        Assert.That(callback.StoppedEpoch, Is.EqualTo(Math.Max(0, stopsAt)));
    }

    [Test]
    public void Early_stopping_counts_only_improvements_larger_than_min_delta_and_watches_accuracy_upwards()
    {
        var context = new TrainingContext(NewModel());
        Assert.That(Drive(new EarlyStopping("val_loss", minDelta: 0.05, patience: 2), context, "val_loss", 0.5, 0.46, 0.47, 0.2), Is.EqualTo(2),
            "0.46 improves on the best, 0.5, by less than 0.05, and 0.47 not at all");
        context = new TrainingContext(NewModel());
        var accuracy = new EarlyStopping("val_accuracy", patience: 0);
        Assert.That(Drive(accuracy, context, "val_accuracy", 0.5, 0.7, 0.6), Is.EqualTo(2));
        Assert.That(accuracy.Best, Is.EqualTo(0.7));
        Assert.That(accuracy.BestEpoch, Is.EqualTo(1));
        context = new TrainingContext(NewModel());
        Assert.That(Drive(new EarlyStopping("val_accuracy", patience: 0, mode: MonitorMode.Min), context, "val_accuracy", 0.5, 0.7), Is.EqualTo(1), "mode overrides the name");
    }

    [Test]
    public void Early_stopping_with_a_baseline_waits_only_while_the_value_stays_worse_than_it()
    {
        // Improving on the best so far, but not on the baseline, does not restart the count (Keras): without the
        // baseline, the count would be 1 at the third epoch and training would go on.
        var context = new TrainingContext(NewModel());
        Assert.That(Drive(new EarlyStopping("val_loss", patience: 2, baseline: 0.3), context, "val_loss", 0.5, 0.45, 0.46), Is.EqualTo(2));
        context = new TrainingContext(NewModel());
        Assert.That(Drive(new EarlyStopping("val_loss", patience: 2), context, "val_loss", 0.5, 0.45, 0.46), Is.EqualTo(-1));
        context = new TrainingContext(NewModel());
        Assert.That(Drive(new EarlyStopping("val_loss", patience: 2, baseline: 0.3), context, "val_loss", 0.5, 0.25, 0.26, 0.24, 0.3), Is.EqualTo(-1));
    }

    [Test]
    public void Early_stopping_ignores_the_warm_up_epochs()
    {
        var context = new TrainingContext(NewModel());
        Assert.That(Drive(new EarlyStopping("val_loss", patience: 0, startFromEpoch: 2), context, "val_loss", 0.1, 0.5, 0.6, 0.7), Is.EqualTo(3));
    }

    [Test]
    public void Early_stopping_in_fit_restores_the_best_epochs_weights()
    {
        var random = new Random(3);
        var x = TestData.Uniform(random, 1, 16, 3, 2);
        var y = TestData.Labels([.. Enumerable.Range(0, 16).Select(i => i % 2)], 16);
        var model = NewModel(learningRate: 0.5);
        var weightsAfter = new List<IReadOnlyList<Tensor>>();
        var record = new LambdaCallback(onEpochEnd: (_, _, context) => weightsAfter.Add(context.Model.GetWeights()));
        // Monitoring the loss upwards makes the first epoch the best: its weights must come back at the end.
        var stop = new EarlyStopping("loss", mode: MonitorMode.Max, patience: 1, restoreBestWeights: true);

        var history = model.Fit(x, y, epochs: 10, batchSize: 4, verbose: 0, callbacks: [record, stop]);

        Assert.That(history.Epochs, Is.EqualTo(stop.StoppedEpoch + 1));
        Assert.That(history["loss"][stop.BestEpoch], Is.EqualTo(history["loss"].Max()));
        Assert.That(model.GetWeights().Select(w => w.Data), Is.EqualTo(weightsAfter[stop.BestEpoch].Select(w => w.Data)));
        Assert.That(model.GetWeights()[0].Data, Is.Not.EqualTo(weightsAfter[^1][0].Data));
    }

    [Test]
    public void A_monitored_value_that_is_never_logged_warns_once_and_training_goes_on()
    {
        var model = NewModel();
        var output = new StringWriter();
        model.Output = output;
        var x = TestData.Uniform(new Random(1), 1, 8, 3, 2);
        var y = TestData.Labels([.. Enumerable.Range(0, 8).Select(i => i % 2)], 8);
        var history = model.Fit(x, y, epochs: 3, verbose: 0, callbacks: [new EarlyStopping(patience: 0)]);
        Assert.That(history.Epochs, Is.EqualTo(3));
        var warning = "Warning: EarlyStopping watches 'val_loss', which this run does not log (it logs: loss, accuracy); validation values need validationData or validationSplit.";
        Assert.That(output.ToString().Trim(), Is.EqualTo(warning));
    }

    [Test]
    public void Reduce_lr_on_plateau_follows_keras_patience_cooldown_and_floor()
    {
        var model = NewModel(learningRate: 1);
        var context = new TrainingContext(model);
        var rates = new List<double>();
        var callback = new ReduceLROnPlateau("val_loss", factor: 0.5, patience: 2, cooldown: 2, minLearningRate: 0.2);
        callback.OnTrainBegin(context);
        double[] losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
        for (int epoch = 0; epoch < losses.Length; epoch++)
        {
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { ["val_loss"] = losses[epoch] }, context);
            rates.Add(model.Optimizer!.LearningRate);
        }
        // Epochs 2 and 3 do not improve: halve after 3. Epoch 4 is the cooldown; in 5 the cooldown ends and the count
        // starts (Keras, so a cooldown of 1 has no effect); halve after 6; 7 cools down, 8 and 9 count, and 0.25 · 0.5
        // is floored at 0.2 after 9; then 0.2 is the floor and stays.
        Assert.That(rates, Is.EqualTo(new[] { 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2 }));
    }

    [Test]
    public void Reduce_lr_on_plateau_does_not_cut_a_rate_already_at_its_floor_again()
    {
        var model = NewModel(learningRate: 0.1);
        var context = new TrainingContext(model);
        var callback = new ReduceLROnPlateau("val_loss", factor: 0.1, patience: 0, minDelta: 0, minLearningRate: 0.01);
        callback.OnTrainBegin(context);
        var rates = new List<double>();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { ["val_loss"] = 1.0 }, context);
            rates.Add(model.Optimizer!.LearningRate);
        }
        // 0.1 · 0.1 is 0.010000000000000002 in double, above the floor by rounding only: Keras compares in float32.
        Assert.That(rates.Skip(1), Has.All.EqualTo(0.010000000000000002));
    }

    [Test]
    public void Reduce_lr_on_plateau_needs_an_improvement_larger_than_min_delta()
    {
        var model = NewModel(learningRate: 1);
        var context = new TrainingContext(model);
        var callback = new ReduceLROnPlateau("val_loss", factor: 0.1, patience: 1, minDelta: 0.01);
        callback.OnTrainBegin(context);
        callback.OnEpochEnd(0, new Dictionary<string, double> { ["val_loss"] = 1.0 }, context);
        callback.OnEpochEnd(1, new Dictionary<string, double> { ["val_loss"] = 0.995 }, context);
        Assert.That(model.Optimizer!.LearningRate, Is.EqualTo(0.1).Within(1e-15));
    }

    [Test]
    public void Arguments_out_of_range_are_refused_with_the_callbacks_name()
    {
        Assert.That(() => new ReduceLROnPlateau(factor: 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("ReduceLROnPlateau: the factor must be in [0, 1)"));
        Assert.That(() => new EarlyStopping(patience: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("EarlyStopping: patience"));
        Assert.That(() => new EarlyStopping(monitor: " "), Throws.InstanceOf<ArgumentException>());
        Assert.That(() => new EarlyStopping(mode: (MonitorMode)7), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("unknown monitor mode"));
    }
}
