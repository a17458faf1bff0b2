using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Training;

/// <summary>Keras's "mae" and "mse" metrics: computed by hand from the predictions, masked steps left out, logged under their names in order.</summary>
public class RegressionMetricTests
{
    [Test]
    public void Mae_and_mse_are_the_mean_errors_over_every_element()
    {
        using var model = new Sequential(new Gru(4, inputShape: [5, 2]), new Dense(3));
        model.Compile(new Sgd(0), new MeanSquaredError(), ["mae", "mean_squared_error"], device: Device.CpuFloat64, seed: 1);
        var random = new Random(2);
        var x = TestData.Uniform(random, 1, 7, 5, 2);
        var y = TestData.Uniform(random, 1, 7, 3);
        var p = model.Predict(x);
        double mae = p.Data.Zip(y.Data, (a, b) => Math.Abs((double)a - b)).Average();
        var logs = model.Evaluate(x, y, batchSize: 3);
        Assert.That(logs.Keys, Is.EqualTo(new[] { "loss", "mae", "mean_squared_error" }));
        Assert.That(logs["mae"], Is.EqualTo(mae).Within(1e-6), "from the float32 predictions Predict returns too");
        Assert.That(logs["mean_squared_error"], Is.EqualTo(logs["loss"]).Within(1e-6), "the same quantity as the MSE loss (computed in float64), from float32 predictions");
    }

    [Test]
    public void Masked_steps_count_for_no_metric()
    {
        using var model = new Sequential(new Embedding(6, 2, maskZero: true, inputShape: [4]), new Lstm(3, returnSequences: true), new TimeDistributed(new Dense(2)));
        model.Compile(new Sgd(0), new MeanSquaredError(), ["mse", "mae"], device: Device.CpuFloat64, seed: 3);
        var x = Tensor.FromIndices([1, 2, 0, 0, 3, 4, 5, 1], 2, 4);
        var y = TestData.Uniform(new Random(4), 1, 2, 4, 2);
        var p = model.Predict(x);
        double absolute = 0;
        int real = 0;
        for (int n = 0; n < 2; n++)
            for (int t = 0; t < 4; t++)
                if (x[n, t] != 0)
                {
                    absolute += (Math.Abs(p[n, t, 0] - y[n, t, 0]) + Math.Abs(p[n, t, 1] - y[n, t, 1])) / 2;
                    real++;
                }
        var logs = model.Evaluate(x, y);
        Assert.That(logs["mae"], Is.EqualTo(absolute / real).Within(1e-6));
        Assert.That(logs["mse"], Is.EqualTo(logs["loss"]).Within(1e-6));
    }

    [Test]
    public void Fit_logs_the_metrics_in_their_compiled_order_for_training_and_validation()
    {
        using var model = new Sequential(new SimpleRnn(3, inputShape: [4, 2]), new Dense(2, ActivationKind.Sigmoid));
        model.Compile(new Adam(0.01), new BinaryCrossentropy(), ["mae", "acc"], device: Device.Cpu, seed: 5);
        var random = new Random(6);
        var x = TestData.Uniform(random, 1, 8, 4, 2);
        var y = new Tensor([.. Enumerable.Range(0, 16).Select(i => (float)(i % 2))], 8, 2);
        var history = model.Fit(x, y, epochs: 2, verbose: 0, validationSplit: 0.25);
        Assert.That(model.MetricNames, Is.EqualTo(new[] { "mae", "accuracy" }));
        Assert.That(history.Values.Keys, Is.EqualTo(new[] { "loss", "mae", "accuracy", "val_loss", "val_mae", "val_accuracy" }));
        Assert.That(history["val_mae"][^1], Is.EqualTo(model.Evaluate(x.SliceRows(6, 2), y.SliceRows(6, 2))["mae"]).Within(1e-6));
    }

    [Test]
    public void Unknown_metrics_and_targets_of_another_shape_are_errors()
    {
        using var model = new Sequential(new Gru(4, inputShape: [5, 2]), new Dense(3, ActivationKind.Softmax));
        Assert.That(() => model.Compile("adam", "sparse_categorical_crossentropy", ["auc"]), Throws.ArgumentException.With.Message.Contains(
            "Unknown metric 'auc'. Known: accuracy, mae (mean_absolute_error), mse (mean_squared_error)."));
        Assert.That(() => model.Compile("adam", "sparse_categorical_crossentropy", ["mae", "mae"]), Throws.ArgumentException.With.Message.Contains("Metric 'mae' is given twice."));
        model.Compile("adam", "sparse_categorical_crossentropy", ["mae"], device: Device.Cpu);
        var x = TestData.Uniform(new Random(7), 1, 4, 5, 2);
        Assert.That(() => model.Evaluate(x, TestData.Labels([0, 1, 2, 1], 4)), Throws.ArgumentException.With.Message.Contains(
            "metric 'mae' compares the output (4, 3) with targets of that shape, got (4,)."));
        var before = model.GetWeights();
        Assert.That(() => model.Fit(x, TestData.Labels([0, 1, 2, 1], 4), verbose: 0), Throws.ArgumentException.With.Message.Contains("metric 'mae' compares"));
        Assert.That(model.GetWeights().Select(w => w.Data), Is.EqualTo(before.Select(w => w.Data)), "refused before the first update");
    }
}
