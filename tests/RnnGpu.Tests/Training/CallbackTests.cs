using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;
using RnnGpu.Training;

namespace RnnGpu.Tests.Training;

/// <summary>Callbacks steer <c>Fit</c> as Keras's do.</summary>
public class CallbackTests
{
    [Test]
    public void Stopping_after_a_batch_ends_the_epoch_there_and_still_validates_it()
    {
        var random = new Random(1);
        var x = TestData.Uniform(random, 1, 12, 3, 2);
        var y = TestData.Labels([.. Enumerable.Range(0, 12).Select(i => i % 2)], 12);
        var model = new Sequential(new SimpleRnn(3, inputShape: [3, 2]), new Dense(2, ActivationKind.Softmax));
        model.Compile(new Sgd(0.1), new RnnGpu.Losses.SparseCategoricalCrossentropy(), device: Device.Cpu, seed: 1);
        var batches = new List<int>();
        var epochsEnded = 0;
        var stop = new LambdaCallback(
            onBatchEnd: (batch, _, context) => { batches.Add(batch); context.StopTraining = batch == 1; },
            onEpochEnd: (_, _, _) => epochsEnded++);

        var history = model.Fit(x, y, epochs: 3, batchSize: 2, verbose: 0, validationData: (x, y), callbacks: [stop]);

        Assert.That(batches, Is.EqualTo(new[] { 0, 1 }), "no batch after the one that stopped training");
        Assert.That(epochsEnded, Is.EqualTo(1));
        Assert.That(history["val_loss"], Has.Count.EqualTo(1), "the epoch is still validated");
    }

    [Test]
    public void A_series_never_logged_is_an_error_listing_the_logged_ones()
    {
        var model = new Sequential(new SimpleRnn(3, inputShape: [3, 2]), new Dense(2, ActivationKind.Softmax));
        model.Compile(new Sgd(0.1), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"], device: Device.Cpu, seed: 1);
        var history = model.Fit(TestData.Uniform(new Random(1), 1, 4, 3, 2), Tensor.FromIndices([0, 1, 0, 1]), epochs: 2, verbose: 0);
        Assert.That(history.Contains("loss") && !history.Contains("val_loss"));
        Assert.That(() => history["acc"], Throws.TypeOf<KeyNotFoundException>().With.Message.EqualTo("History has no 'acc'; it logged: loss, accuracy."));
        Assert.That(history["accuracy"], Has.Count.EqualTo(2));
    }
}
