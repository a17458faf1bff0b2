using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>Keras's merge layers: shapes and parameter counts as Keras gives them, gradients by finite differences, clear errors.</summary>
public class MergeLayerTests
{
    [Test]
    public void Two_encoders_final_states_concatenated_feed_a_classifier()
    {
        var x = new Input([6, 4]);
        var lstm = new Lstm(5).Call(x);
        var gru = new Gru(3).Call(x);
        var joined = new Concatenate().Call(lstm, gru);
        Assert.That(joined.Shape, Is.EqualTo(new[] { 8 }));
        using var model = new Model(x, new Dense(2, ActivationKind.Softmax).Call(joined));
        string summary = model.SummaryText();
        Assert.That(summary, Does.Contain("concatenate (Concatenate)").And.Contain("lstm[0][0]").And.Contain("gru[0][0]"));
        // Keras: LSTM(5) on 4 features 4·5·(4+5+1) = 200, GRU(3) 3·3·(4+3+2) = 81, Dense 8·2+2 = 18.
        Assert.That(model.ParameterCount, Is.EqualTo(200 + 81 + 18));
    }

    [Test]
    public void Gradients_through_concatenate_add_and_multiply_match_finite_differences()
    {
        var x = new Input([5, 3]);
        var a = new Lstm(4, returnSequences: true).Call(x);
        var b = new Gru(4, returnSequences: true).Call(x);
        var merged = new Concatenate().Call(new Add().Call(a, b), new Multiply().Call(a, b), a);
        using var model = new Model(x, new TimeDistributed(new Dense(2)).Call(merged));
        Assert.That(merged.Shape, Is.EqualTo(new[] { 5, 12 }));
        model.Compile(new Sgd(), new MeanSquaredError(), device: Device.CpuFloat64, seed: 3);
        var random = new Random(5);
        ModelGradients.Check(model, TestData.Uniform(random, 1, 2, 5, 3), TestData.Uniform(random, 1, 2, 5, 2));
    }

    [Test]
    public void Merges_of_sequences_of_unknown_length_keep_it_unknown()
    {
        var x = new Input([null, 3]);
        var seven = new Input([7, 3]);
        Assert.That(new Add().Call(x, seven).Shape, Is.EqualTo(new[] { 7, 3 }), "the known length wins, as Keras's shape merge");
        Assert.That(new Concatenate().Call(x, x).Shape, Is.EqualTo(new[] { -1, 6 }));
    }

    [Test]
    public void Inputs_that_cannot_merge_are_errors_naming_the_layer_and_shapes()
    {
        var a = new Input([4, 3]);
        Assert.That(() => new Concatenate(name: "join").Call(a), Throws.ArgumentException.With.Message.Contains("Layer 'join' (Concatenate) merges two or more inputs, got 1"));
        Assert.That(() => new Concatenate(name: "join").Call(a, new Input([5, 3])), Throws.ArgumentException.With.Message.EqualTo(
            "Layer 'join' (Concatenate) needs inputs that agree on every axis but the last, got (None, 4, 3), (None, 5, 3)."));
        Assert.That(() => new Add(name: "sum").Call(a, new Input([4, 2])), Throws.ArgumentException.With.Message.Contains("Layer 'sum' (Add) needs inputs of one shape, got (None, 4, 3), (None, 4, 2)"));
        Assert.That(() => new Multiply(name: "gate").Call(a, new Input([3])), Throws.ArgumentException.With.Message.Contains("needs inputs of one rank"));
    }

    [Test]
    public void A_timestep_masked_in_any_input_is_masked_in_the_merge()
    {
        // Two masked branches whose padding differs: the merged output's loss counts only steps real in both.
        var tokens = new Input([4]);
        var left = new Lstm(3, returnSequences: true).Call(new Embedding(6, 2, maskZero: true).Call(tokens));
        var right = new Gru(3, returnSequences: true).Call(new Embedding(6, 2).Call(tokens));
        using var model = new Model(tokens, new TimeDistributed(new Dense(1)).Call(new Concatenate().Call(left, right)));
        model.Compile(new Sgd(0), new MeanSquaredError(), device: Device.CpuFloat64, seed: 2);
        var x = Tensor.FromIndices([1, 2, 0, 0, 3, 4, 5, 0], 2, 4);
        var y = TestData.Uniform(new Random(3), 1, 2, 4, 1);
        var p = model.Predict(x);
        double sum = 0;
        int real = 0;
        for (int n = 0; n < 2; n++)
            for (int t = 0; t < 4; t++)
                if (x[n, t] != 0) { sum += Math.Pow(p[n, t, 0] - y[n, t, 0], 2); real++; }
        Assert.That(model.Evaluate(x, y)["loss"], Is.EqualTo(sum / real).Within(1e-6), "the left branch's padding masks the merged steps");
    }
}
