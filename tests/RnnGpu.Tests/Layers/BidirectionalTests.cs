using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>
/// Keras's <c>go_backwards</c> and <c>Bidirectional</c>: a backward layer is the forward one over the reversed sequence,
/// a bidirectional one is both side by side, padding changes nothing at the real steps, gradients match finite
/// differences, and the shapes, parameter counts and weight names are Keras's.
/// </summary>
public class BidirectionalTests
{
    /// <summary>[N, T, F] with axis 1 reversed.</summary>
    private static Tensor ReverseSteps(Tensor x)
    {
        int n = x.Shape[0], steps = x.Shape[1], f = x.Length / (n * steps);
        var data = new float[x.Length];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < steps; t++)
                Array.Copy(x.Data, (i * steps + steps - 1 - t) * f, data, (i * steps + t) * f, f);
        return new Tensor(data, x.Shape);
    }

    /// <summary>Features [from, from + count) of every row of [N, T, F] (or [N, F]).</summary>
    private static Tensor Features(Tensor x, int from, int count)
    {
        int rows = x.Length / x.Shape[^1], f = x.Shape[^1];
        var data = new float[rows * count];
        for (int r = 0; r < rows; r++) Array.Copy(x.Data, r * f + from, data, r * count, count);
        return new Tensor(data, [.. x.Shape[..^1], count]);
    }

    [Test]
    public void The_keras_guide_stack_has_kerass_shapes_and_parameter_counts()
    {
        // Keras's RNN guide: Bidirectional(LSTM(64, return_sequences=True)) on (5, 10), Bidirectional(LSTM(32)), Dense(10).
        var model = new Sequential(
            new Bidirectional(new Lstm(64, returnSequences: true), inputShape: [5, 10]),
            new Bidirectional(new Lstm(32)),
            new Dense(10));
        string text = model.SummaryText();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("bidirectional (Bidirectional)").And.Contain("(None, 5, 128)").And.Contain("38400"));
            Assert.That(text, Does.Contain("bidirectional_1 (Bidirectional)").And.Contain("(None, 64)").And.Contain("41216"));
            Assert.That(text, Does.Contain("Total params: 80,266"));
            Assert.That(model.Weights.Select(w => w.Path).Take(6), Is.EqualTo(new[]
            {
                "bidirectional/forward_lstm/kernel", "bidirectional/forward_lstm/recurrent_kernel", "bidirectional/forward_lstm/bias",
                "bidirectional/backward_lstm/kernel", "bidirectional/backward_lstm/recurrent_kernel", "bidirectional/backward_lstm/bias",
            }));
        });
    }

    [TestCase("lstm")]
    [TestCase("gru")]
    [TestCase("simple_rnn")]
    public void A_layer_that_goes_backwards_is_the_forward_layer_over_the_reversed_sequence(string kind)
    {
        RecurrentLayer Make(bool backwards) => kind switch
        {
            "lstm" => new Lstm(4, returnSequences: true, goBackwards: backwards),
            "gru" => new Gru(4, returnSequences: true, goBackwards: backwards),
            _ => new SimpleRnn(4, returnSequences: true, goBackwards: backwards),
        };
        // Row 1 is post-padded: reversed, its padding comes first, and the outputs there are zero until the first real step.
        var x = TestData.Uniform(new Random(3), 1, 2, 6, 3);
        for (int t = 4; t < 6; t++) for (int f = 0; f < 3; f++) x.Data[(6 + t) * 3 + f] = 0;
        using var backward = new Sequential(new Masking(inputShape: [6, 3]), Make(true));
        using var forward = new Sequential(new Masking(inputShape: [6, 3]), Make(false));
        backward.Build(Device.Cpu, seed: 1);
        forward.Build(Device.Cpu, seed: 2);
        forward.SetWeights(backward.GetWeights());
        var y = backward.Predict(x);
        Assert.That(y.Data, Is.EqualTo(forward.Predict(ReverseSteps(x)).Data), "outputs in reading order, as Keras returns them");
        Assert.That(y[1, 0, 0] == 0 && y[1, 1, 3] == 0 && y[1, 2, 0] != 0, "row 1's two padded steps are read first and output zero");
    }

    [Test]
    public void The_output_of_a_layer_that_goes_backwards_keeps_the_input_mask_unreversed_as_in_keras()
    {
        // Keras's RNN.compute_mask passes the input mask on as it is, though the outputs are in reading order: the loss
        // of a post-padded row counts the first steps of the output, which were read last.
        var x = TestData.Uniform(new Random(3), 1, 1, 5, 2);
        for (int f = 0; f < 2; f++) x.Data[4 * 2 + f] = 0;
        var y = TestData.Uniform(new Random(4), 1, 1, 5, 1);
        using var model = new Sequential(new Masking(inputShape: [5, 2]), new Lstm(3, returnSequences: true, goBackwards: true), new TimeDistributed(new Dense(1)));
        model.Compile(new Sgd(0), new MeanSquaredError(), device: Device.CpuFloat64, seed: 1);
        var p = model.Predict(x);
        double expected = Enumerable.Range(0, 4).Average(t => Math.Pow(p[0, t, 0] - y[0, t, 0], 2));
        Assert.That(model.Evaluate(x, y)["loss"], Is.EqualTo(expected).Within(1e-6));
    }

    [Test]
    public void A_bidirectional_layer_is_a_forward_and_a_backward_layer_side_by_side()
    {
        var x = TestData.Uniform(new Random(4), 1, 3, 7, 5);
        using var both = new Sequential(new Bidirectional(new Lstm(4, returnSequences: true), inputShape: [7, 5]));
        using var forward = new Sequential(new Lstm(4, returnSequences: true, inputShape: [7, 5]));
        using var backward = new Sequential(new Lstm(4, returnSequences: true, goBackwards: true, inputShape: [7, 5]));
        both.Build(Device.Cpu, seed: 1);
        forward.Build(Device.Cpu, seed: 2);
        backward.Build(Device.Cpu, seed: 3);
        var w = both.GetWeights();
        forward.SetWeights(w.Take(3).ToList());
        backward.SetWeights(w.Skip(3).ToList());
        var y = both.Predict(x);
        Assert.That(y.Shape, Is.EqualTo(new[] { 3, 7, 8 }));
        Assert.That(Features(y, 0, 4).Data, Is.EqualTo(forward.Predict(x).Data));
        Assert.That(Features(y, 4, 4).Data, Is.EqualTo(ReverseSteps(backward.Predict(x)).Data), "the backward outputs put back in time order");
    }

    [TestCase(true, false)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    [TestCase(false, true)]
    public void Padding_changes_nothing_at_the_real_steps_and_padded_steps_output_zero(bool returnSequences, bool prePadded)
    {
        // The same 4-step row, alone and padded to 7 steps (after it, or before it): both directions see only its real steps.
        var random = new Random(6);
        var row = TestData.Uniform(random, 1, 1, 4, 3);
        var padded = new Tensor(new float[7 * 3], [1, 7, 3]);
        int offset = prePadded ? 3 : 0;
        Array.Copy(row.Data, 0, padded.Data, offset * 3, row.Length);
        using var model = new Sequential(new Masking(inputShape: [null, 3]), new Bidirectional(new Gru(5, returnSequences: returnSequences)));
        model.Build(Device.Cpu, seed: 5);
        var alone = model.Predict(row);
        var inPadding = model.Predict(padded);
        if (!returnSequences)
        {
            Assert.That(inPadding.Data, Is.EqualTo(alone.Data).Within(1e-6));
            return;
        }
        for (int t = 0; t < 4; t++)
            for (int f = 0; f < 10; f++)
                Assert.That(inPadding[0, offset + t, f], Is.EqualTo(alone[0, t, f]).Within(1e-6), $"step {t}, feature {f}");
        // Keras's Bidirectional forces zero_output_for_mask with return_sequences: both halves are zero at a padded step.
        foreach (int t in prePadded ? new[] { 0, 1, 2 } : [4, 5, 6])
            for (int f = 0; f < 10; f++)
                Assert.That(inPadding[0, t, f], Is.Zero, $"padded step {t}, feature {f}");
    }

    [TestCase(BidirectionalMergeMode.Concat)]
    [TestCase(BidirectionalMergeMode.Sum)]
    [TestCase(BidirectionalMergeMode.Multiply)]
    [TestCase(BidirectionalMergeMode.Average)]
    public void Gradients_through_both_directions_match_finite_differences(BidirectionalMergeMode mode)
    {
        // Embedding with mask_zero, so the gradient check runs through the reversed masks too.
        using var model = new Sequential(
            new Embedding(6, 3, maskZero: true, inputShape: [5]),
            new Bidirectional(new Lstm(3, returnSequences: true), mode),
            new Bidirectional(new Gru(2), mode),
            new Dense(2));
        model.Compile(new Sgd(), new MeanSquaredError(), device: Device.CpuFloat64, seed: 7);
        var x = Tensor.FromIndices([1, 4, 2, 5, 3, 2, 3, 0, 0, 0], 2, 5);
        ModelGradients.Check(model, x, TestData.Uniform(new Random(8), 1, 2, 2));
    }

    [Test]
    public void Gradients_of_a_layer_that_goes_backwards_match_finite_differences()
    {
        using var model = new Sequential(new SimpleRnn(3, returnSequences: true, goBackwards: true, inputShape: [4, 2]), new TimeDistributed(new Dense(1)));
        model.Compile(new Sgd(), new MeanSquaredError(), device: Device.CpuFloat64, seed: 1);
        var random = new Random(2);
        ModelGradients.Check(model, TestData.Uniform(random, 1, 2, 4, 2), TestData.Uniform(random, 1, 2, 4, 1));
    }

    [Test]
    public void Merge_modes_give_kerass_output_shapes()
    {
        var x = new Input([6, 3]);
        Assert.That(new Bidirectional(new Lstm(4)).Call(x).Shape, Is.EqualTo(new[] { 8 }));
        Assert.That(new Bidirectional(new Lstm(4, returnSequences: true), BidirectionalMergeMode.Average).Call(x).Shape, Is.EqualTo(new[] { 6, 4 }));
        var separate = new Bidirectional(new Gru(4, returnSequences: true), BidirectionalMergeMode.None).CallWithAllOutputs(x);
        Assert.That(separate.Select(s => s.Shape), Is.EqualTo(new[] { new[] { 6, 4 }, new[] { 6, 4 } }));
        var withStates = new Bidirectional(new Lstm(4, returnState: true)).CallWithAllOutputs(x);
        Assert.That(withStates.Select(s => s.Shape), Is.EqualTo(new[] { new[] { 8 }, new[] { 4 }, new[] { 4 }, new[] { 4 }, new[] { 4 } }), "output, forward h and c, backward h and c");
    }

    [Test]
    public void Initial_states_go_half_to_each_direction_and_final_states_come_back_in_that_order()
    {
        var x = new Input([5, 3]);
        var states = Enumerable.Range(0, 4).Select(_ => new Input([2])).ToArray();
        var outputs = new Bidirectional(new Lstm(2, returnState: true), BidirectionalMergeMode.None).CallWithAllOutputs([x, .. states]);
        using var model = new Model([x, .. states], outputs);
        model.Build(Device.Cpu, seed: 3);
        using var forward = new Model([x, states[0], states[1]], new Lstm(2, returnState: true).CallWithAllOutputs(x, states[0], states[1]));
        using var backward = new Model([x, states[2], states[3]], new Lstm(2, returnState: true, goBackwards: true).CallWithAllOutputs(x, states[2], states[3]));
        forward.Build(Device.Cpu, seed: 4);
        backward.Build(Device.Cpu, seed: 5);
        var w = model.GetWeights();
        forward.SetWeights(w.Take(3).ToList());
        backward.SetWeights(w.Skip(3).ToList());
        var random = new Random(9);
        var data = new[] { TestData.Uniform(random, 1, 2, 5, 3) }.Concat(Enumerable.Range(0, 4).Select(_ => TestData.Uniform(random, 1, 2, 2))).ToArray();
        var all = model.PredictAll(data);
        var f = forward.PredictAll([data[0], data[1], data[2]]);
        var b = backward.PredictAll([data[0], data[3], data[4]]);
        Assert.That(all.Select(t => t.Data), Is.EqualTo(new[] { f[0], b[0], f[1], f[2], b[1], b[2] }.Select(t => t.Data)));
    }

    [Test]
    public void Custom_cells_go_both_ways_with_a_backward_layer_given()
    {
        var x = TestData.Uniform(new Random(10), 1, 2, 5, 3);
        using var fused = new Sequential(new Bidirectional(new Lstm(3, returnSequences: true, unitForgetBias: false), inputShape: [5, 3]));
        using var custom = new Sequential(new Bidirectional(
            new Rnn(new PrimitiveLstmCell(3), returnSequences: true),
            backwardLayer: new Rnn(new PrimitiveLstmCell(3), returnSequences: true, goBackwards: true), inputShape: [5, 3]));
        fused.Build(Device.Cpu, seed: 1);
        custom.Build(Device.Cpu, seed: 2);
        custom.SetWeights(fused.GetWeights());
        Assert.That(custom.Weights[3].Path, Is.EqualTo("bidirectional/backward_rnn/kernel"));
        Assert.That(custom.Predict(x).Data, Is.EqualTo(fused.Predict(x).Data).Within(1e-5));
    }

    [Test]
    public void Weights_save_and_load_under_kerass_names()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rnngpu-bidirectional-{Guid.NewGuid():N}.safetensors");
        try
        {
            var x = TestData.Uniform(new Random(11), 1, 2, 4, 3);
            using var trained = new Sequential(new Bidirectional(new Gru(3), BidirectionalMergeMode.Sum, inputShape: [4, 3]), new Dense(2));
            trained.Compile(new Adam(0.01), new MeanSquaredError(), device: Device.Cpu, seed: 1);
            trained.Fit(x, TestData.Uniform(new Random(12), 1, 2, 2), epochs: 3, verbose: 0);
            trained.SaveWeights(path, includeOptimizer: true);
            using var loaded = new Sequential(new Bidirectional(new Gru(3), BidirectionalMergeMode.Sum, inputShape: [4, 3]), new Dense(2));
            loaded.Compile(new Adam(0.01), new MeanSquaredError(), device: Device.Cpu, seed: 2);
            loaded.LoadWeights(path);
            Assert.That(loaded.Predict(x).Data, Is.EqualTo(trained.Predict(x).Data));
            Assert.That(RnnGpu.IO.SafeTensorsFile.Read(path).Tensors.Select(t => t.Key), Does.Contain("bidirectional/backward_gru/recurrent_kernel")
                .And.Contain("optimizer/bidirectional/forward_gru/kernel/momentum"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void A_bidirectional_tagger_learns_what_only_the_future_tells()
    {
        // Per step, the target is the next step's input: a forward LSTM cannot know it, a bidirectional one can.
        var random = new Random(13);
        const int samples = 256, steps = 8;
        var x = new Tensor(new float[samples * steps], [samples, steps, 1]);
        for (int i = 0; i < x.Length; i++) x.Data[i] = random.Next(2);
        var y = new Tensor(new float[samples * steps], [samples, steps, 1]);
        for (int n = 0; n < samples; n++)
            for (int t = 0; t + 1 < steps; t++) y.Data[n * steps + t] = x.Data[n * steps + t + 1];
        double Train(Layer recurrent)
        {
            using var model = new Sequential(recurrent, new TimeDistributed(new Dense(1, ActivationKind.Sigmoid)));
            model.Compile(new Adam(0.02), new BinaryCrossentropy(), ["accuracy"], device: Device.Cpu, seed: 1);
            var history = model.Fit(x, y, epochs: 40, batchSize: 32, verbose: 0);
            return history["accuracy"][^1];
        }
        double forwardOnly = Train(new Lstm(8, returnSequences: true, inputShape: [steps, 1]));
        double bidirectional = Train(new Bidirectional(new Lstm(8, returnSequences: true), inputShape: [steps, 1]));
        TestContext.Out.WriteLine($"per-step accuracy: forward {forwardOnly:F3}, bidirectional {bidirectional:F3}");
        Assert.That(forwardOnly, Is.LessThan(0.7), "a forward reading can only guess the next bit");
        Assert.That(bidirectional, Is.GreaterThan(0.97));
    }

    [Test]
    public void A_stateful_bidirectional_layer_carries_both_directions_until_reset()
    {
        var x = TestData.Uniform(new Random(14), 1, 2, 3, 2);
        using var model = new Sequential(new Bidirectional(new Gru(3, stateful: true), inputShape: [3, 2], batchSize: 2));
        model.Build(Device.Cpu, seed: 1);
        var first = model.Predict(x);
        Assert.That(model.Predict(x).Data, Is.Not.EqualTo(first.Data), "the second batch starts from the first one's states");
        model.ResetStates();
        Assert.That(model.Predict(x).Data, Is.EqualTo(first.Data));
        Assert.That(() => new Sequential(new Bidirectional(new Gru(3, stateful: true), inputShape: [3, 2])),
            Throws.ArgumentException.With.Message.Contains("Layer 'bidirectional' (Bidirectional) is stateful"));
    }

    [Test]
    public void Misuse_is_an_error_that_says_what_to_do()
    {
        Assert.That(() => new Bidirectional(new Dense(3, name: "head")), Throws.ArgumentException.With.Message.Contains(
            "Bidirectional wraps a recurrent layer (SimpleRnn, Lstm, Gru or Rnn), got Layer 'head' (Dense)."));
        Assert.That(() => new Bidirectional(new Rnn(new PrimitiveLstmCell(2))), Throws.ArgumentException.With.Message.Contains("Pass backwardLayer"));
        Assert.That(() => new Bidirectional(new Lstm(2), backwardLayer: new Lstm(2, name: "back")), Throws.ArgumentException.With.Message.Contains(
            "must read the other way: Layer 'back' (LSTM) has goBackwards False"));
        Assert.That(() => new Bidirectional(new Lstm(2), backwardLayer: new Lstm(2, returnSequences: true, goBackwards: true, name: "back")),
            Throws.ArgumentException.With.Message.Contains("must agree on returnSequences: the forward layer has False, Layer 'back' (LSTM) has True"));
        Assert.That(() => new Bidirectional(new Lstm(2, goBackwards: true, name: "back")), Throws.ArgumentException.With.Message.Contains(
            "Bidirectional wraps a layer that reads forwards and makes its backward copy; Layer 'back' (LSTM) has goBackwards true"));
        var shared = new Rnn(new PrimitiveLstmCell(2), name: "enc");
        _ = new Bidirectional(shared, backwardLayer: new Rnn(new PrimitiveLstmCell(2), goBackwards: true));
        Assert.That(() => new Bidirectional(shared, backwardLayer: new Rnn(new PrimitiveLstmCell(2), goBackwards: true)), Throws.ArgumentException.With.Message.Contains(
            "Layer 'enc' (RNN) already belongs to another Bidirectional wrapper"));
        var x = new Input([4, 3]);
        Assert.That(() => new Sequential(new Bidirectional(new Lstm(3), inputShape: [3, 2]), new Bidirectional(new Lstm(3))), Throws.ArgumentException.With.Message.Contains(
            "Layer 'bidirectional_1' (Bidirectional): Layer 'forward_lstm' (LSTM) expects input [steps, features]"));
        Assert.That(() => new Bidirectional(new Lstm(2), BidirectionalMergeMode.Sum, backwardLayer: new Lstm(3, goBackwards: true), name: "both").Call(x),
            Throws.ArgumentException.With.Message.Contains("Layer 'both' (Bidirectional) merges its two directions with Sum, which needs equal widths: the forward layer has 2 units, the backward layer 3"));
        Assert.That(() => new Bidirectional(new Lstm(2), name: "both").Call(x, new Input([2])), Throws.ArgumentException.With.Message.Contains(
            "takes a sequence and optionally 4 initial states (the forward layer's 2, then the backward layer's 2), got 1"));
    }

    [Test]
    public void Truncated_bptt_is_refused_for_a_layer_that_reads_backwards()
    {
        var x = TestData.Uniform(new Random(15), 1, 4, 8, 2);
        var y = TestData.Uniform(new Random(16), 1, 4, 8, 2);
        using var model = new Sequential(new Bidirectional(new SimpleRnn(1, returnSequences: true), inputShape: [8, 2]));
        model.Compile(new Sgd(), new MeanSquaredError(), device: Device.Cpu, seed: 1);
        Assert.That(() => model.Fit(x, y, epochs: 1, verbose: 0, truncatedBpttSteps: 4), Throws.TypeOf<NotSupportedException>().With.Message.Contains(
            "Layer 'bidirectional' (Bidirectional) reads each sequence from both ends, which truncated BPTT cannot do"));
        using var backwards = new Sequential(new SimpleRnn(2, returnSequences: true, goBackwards: true, inputShape: [8, 2]));
        backwards.Compile(new Sgd(), new MeanSquaredError(), device: Device.Cpu, seed: 1);
        Assert.That(() => backwards.Fit(x, y, epochs: 1, verbose: 0, truncatedBpttSteps: 4), Throws.TypeOf<NotSupportedException>().With.Message.Contains("reads its sequences backwards"));
        Assert.That(() => backwards.Fit(x, y, epochs: 1, verbose: 0, truncatedBpttSteps: 8), Throws.Nothing, "one chunk is the whole sequence");
    }
}
