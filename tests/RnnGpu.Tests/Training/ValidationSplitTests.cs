using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Training;

/// <summary><c>Fit(validationSplit: s)</c> holds out what Keras holds out: the last N − ⌊N·(1 − s)⌋ samples.</summary>
public class ValidationSplitTests
{
    [TestCase(10, 0.25, 3)]       // ⌊7.5⌋ = 7 kept
    [TestCase(100, 0.29, 29)]     // 100·0.29 is 28.999… in binary: truncating it would hold out 28
    [TestCase(5, 0.1, 1)]         // ⌊4.5⌋ = 4 kept
    public void The_last_samples_Keras_would_hold_out_are_the_validation_data(int samples, double split, int held)
    {
        var random = new Random(samples);
        var x = TestData.Uniform(random, 1, samples, 3, 2);
        var y = TestData.Labels([.. Enumerable.Range(0, samples).Select(i => i % 2)], samples);
        var model = new Sequential(new Gru(3, inputShape: [3, 2]), new Dense(2, ActivationKind.Softmax));
        // A learning rate of 0 keeps the weights, so the epoch's validation loss is the untrained model's on those samples.
        model.Compile(new Sgd(0), new RnnGpu.Losses.SparseCategoricalCrossentropy(), device: Device.Cpu, seed: 1);

        var history = model.Fit(x, y, epochs: 1, verbose: 0, validationSplit: split);
        var expected = model.Evaluate(x.SliceRows(samples - held, held), y.SliceRows(samples - held, held));
        Assert.That(history["val_loss"][0], Is.EqualTo(expected["loss"]).Within(1e-6));
        if (held == 1) return;
        var fewer = model.Evaluate(x.SliceRows(samples - held + 1, held - 1), y.SliceRows(samples - held + 1, held - 1));
        Assert.That(history["val_loss"][0], Is.Not.EqualTo(fewer["loss"]).Within(1e-6), "not one sample fewer");
    }

    [Test]
    public void Validation_data_given_wins_over_the_split_and_every_sample_trains()
    {
        var random = new Random(7);
        var (x, xv) = (TestData.Uniform(random, 1, 10, 3, 2), TestData.Uniform(random, 1, 4, 3, 2));
        var (y, yv) = (TestData.Labels([.. Enumerable.Range(0, 10).Select(i => i % 2)], 10), TestData.Labels([0, 1, 1, 0], 4));
        var model = new Sequential(new Gru(3, inputShape: [3, 2]), new Dense(2, ActivationKind.Softmax));
        model.Compile(new Sgd(0), new RnnGpu.Losses.SparseCategoricalCrossentropy(), device: Device.Cpu, seed: 1);

        var history = model.Fit(x, y, epochs: 1, verbose: 0, validationData: (xv, yv), validationSplit: 0.2);
        Assert.That(history["val_loss"][0], Is.EqualTo(model.Evaluate(xv, yv)["loss"]).Within(1e-6), "Keras: validation_data overrides validation_split");
        Assert.That(history["loss"][0], Is.EqualTo(model.Evaluate(x, y)["loss"]).Within(1e-6), "the loss of all 10 samples");
    }
}
