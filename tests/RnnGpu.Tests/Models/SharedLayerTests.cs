using RnnGpu.Backends;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Models;

/// <summary>
/// Layers shared between models, as in Keras's encoder-decoder recipes: a model built over a trained model's layers
/// uses their trained weights, on the trained model's backend, and neither model spoils the other.
/// </summary>
public class SharedLayerTests
{
    private sealed record Trained(Input Input, Lstm Encoder, SymbolicTensor[] EncoderOutputs, Model Full, Tensor X);

    /// <summary>An LSTM with returned states and a softmax head, trained for a few epochs on the CPU.</summary>
    private static Trained TrainFullModel()
    {
        var random = new Random(5);
        var x = TestData.Uniform(random, 1, 12, 5, 3);
        var y = TestData.Labels([.. Enumerable.Range(0, 12).Select(i => i % 2)], 12);
        var input = new Input([5, 3]);
        var encoder = new Lstm(4, returnState: true);
        var outputs = encoder.CallWithAllOutputs(input);
        var full = new Model(input, new Dense(2, ActivationKind.Softmax).Call(outputs[0]));
        full.Compile(new Adam(0.05), new SparseCategoricalCrossentropy(), device: Device.Cpu, seed: 1);
        full.Fit(x, y, epochs: 5, batchSize: 4, verbose: 0);
        return new Trained(input, encoder, outputs, full, x);
    }

    [Test]
    public void A_model_built_over_trained_layers_uses_their_weights_and_leaves_the_trained_model_as_it_was()
    {
        var t = TrainFullModel();
        var trainedKernel = t.Encoder.Weights[0].Parameter.ToHost().Data.ToArray();
        var before = t.Full.Predict(t.X).Data.ToArray();

        using var states = new Model([t.Input], [t.EncoderOutputs[1], t.EncoderOutputs[2]]);
        var (h, c) = (states.PredictAll(t.X)[0], states.PredictAll(t.X)[1]);

        Assert.That(states.Backend, Is.SameAs(t.Full.Backend), "placed where the shared layer's weights are");
        Assert.That(t.Encoder.Weights[0].Parameter.ToHost().Data, Is.EqualTo(trainedKernel), "the trained kernel is kept");
        Assert.That(t.Full.Predict(t.X).Data, Is.EqualTo(before), "the trained model predicts as before");
        // The state model's h is the trained LSTM's output (returnSequences off: the last h), as the full model sees it.
        using var lastH = new Model([t.Input], [t.EncoderOutputs[0]]);
        Assert.That(h.Data, Is.EqualTo(lastH.Predict(t.X).Data));
        Assert.That(c.Data.Any(v => v != 0), "a cell state came back");
    }

    [Test]
    public void Placing_a_model_with_shared_layers_on_another_backend_is_an_error_that_names_the_layer()
    {
        var t = TrainFullModel();
        using var states = new Model([t.Input], [t.EncoderOutputs[1]]);
        using var elsewhere = new CpuBackend<float>(1);
        var e = Assert.Throws<InvalidOperationException>(() => states.UseBackend(elsewhere));
        Assert.That(e!.Message, Does.Contain(t.Encoder.Title).And.Contain("UseBackend(thatModel.Backend)"));
        Assert.That(t.Encoder.Weights[0].Backend, Is.SameAs(t.Full.Backend), "nothing moved");
    }

    [Test]
    public void Disposing_one_of_two_models_keeps_the_layers_it_shares_with_the_other()
    {
        var t = TrainFullModel();
        var before = t.Full.Predict(t.X).Data.ToArray();
        var states = new Model([t.Input], [t.EncoderOutputs[1]]);
        states.Predict(t.X);
        states.Dispose();
        Assert.That(t.Full.Predict(t.X).Data, Is.EqualTo(before));
        t.Full.Dispose();
        Assert.That(t.Encoder.Weights.Select(w => w.IsMaterialized), Is.All.False, "freed with the last model that used them");
    }

    [Test]
    public void A_model_built_over_the_layers_of_a_disposed_model_starts_from_their_trained_weights()
    {
        var t = TrainFullModel();
        var trainedKernel = t.Encoder.Weights[0].Parameter.ToHost().Data.ToArray();
        var states = new Model([t.Input], [t.EncoderOutputs[1]]); // not placed yet
        t.Full.Dispose();
        Assert.That(t.Encoder.Weights.Select(w => w.IsMaterialized), Is.All.False, "the device memory is freed");

        states.Build(Device.Cpu, seed: 9);
        Assert.That(t.Encoder.Weights[0].Parameter.ToHost().Data, Is.EqualTo(trainedKernel), "Keras: a layer's weights live as long as the layer");
        states.Dispose();
    }

    [Test]
    public void A_TimeDistributed_layer_reused_after_its_model_was_disposed_has_its_trained_weights()
    {
        var random = new Random(3);
        var x = TestData.Uniform(random, 1, 4, 5, 3);
        var head = new TimeDistributed(new Dense(2), inputShape: [5, 3]);
        var first = new Sequential(head);
        first.Build(Device.Cpu, seed: 1);
        var before = first.Predict(x).Data.ToArray();
        first.Dispose();
        Assert.That(head.Layer.Weights.Concat(head.Weights).Select(w => w.IsMaterialized), Is.All.False, "the wrapped layer's weights are freed too");

        using var second = new Sequential(head);
        second.Build(Device.Cpu, seed: 2);
        Assert.That(second.Predict(x).Data, Is.EqualTo(before));
    }

    [Test]
    public void Moving_a_model_to_another_backend_keeps_its_weights()
    {
        var t = TrainFullModel();
        var before = t.Full.Predict(t.X).Data.ToArray();
        t.Full.Build(Device.Cpu, seed: 99);
        Assert.That(t.Full.Predict(t.X).Data, Is.EqualTo(before));
        Assert.That(t.Encoder.Weights[0].Backend, Is.SameAs(t.Full.Backend));
    }

    [Test]
    public void Moving_a_model_whose_layers_another_model_shares_is_an_error_until_that_model_is_disposed()
    {
        var t = TrainFullModel();
        var before = t.Full.Predict(t.X).Data.ToArray();
        var states = new Model([t.Input], [t.EncoderOutputs[1]]);
        states.Predict(t.X);

        var e = Assert.Throws<InvalidOperationException>(() => states.Build(Device.Cpu));
        Assert.That(e!.Message, Does.Contain(t.Encoder.Title).And.Contain("Dispose the other model first"));
        Assert.Throws<InvalidOperationException>(() => t.Full.Build(Device.Cpu), "nor can the model that trained the layer");
        Assert.That(t.Full.Predict(t.X).Data, Is.EqualTo(before), "nothing moved");

        states.Dispose();
        t.Full.Build(Device.Cpu);
        Assert.That(t.Full.Predict(t.X).Data, Is.EqualTo(before), "alone again, it moves with its weights");
    }
}
