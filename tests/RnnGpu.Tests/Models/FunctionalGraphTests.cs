using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Layers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Models;

/// <summary>
/// Functional graphs as Keras builds them: a shared layer gets output shapes per call (a shared LSTM takes sequences of
/// any length), every call's initial states are checked, and ill-formed graphs are errors that say where.
/// </summary>
public class FunctionalGraphTests
{
    [Test]
    public void A_shared_lstm_gives_each_call_its_own_number_of_steps()
    {
        var lstm = new Lstm(3, returnSequences: true);
        var fixedLength = new Input([10, 2]);
        _ = new Model(fixedLength, lstm.Call(fixedLength));
        var anyLength = new Input([null, 2]);
        var output = lstm.Call(anyLength);
        Assert.That(output.Shape, Is.EqualTo(new[] { -1, 3 }), "not the first call's 10 steps");
        Assert.That(lstm.Call(new Input([7, 2])).Shape, Is.EqualTo(new[] { 7, 3 }));
        Assert.That(new TimeDistributed(new Dense(4)).Call(output).Shape, Is.EqualTo(new[] { -1, 4 }));

        using var model = new Model(anyLength, output);
        model.Compile(new Sgd(0.1), new MeanSquaredError(), device: Device.Cpu, seed: 1);
        var random = new Random(2);
        Assert.That(() => model.Fit(TestData.Uniform(random, 1, 4, 5, 2), TestData.Uniform(random, 1, 4, 5, 3), verbose: 0), Throws.Nothing);

        Assert.That(() => lstm.Call(new Input([7, 5])), Throws.ArgumentException.With.Message.EqualTo("Layer 'lstm' (LSTM) expects input [steps, 2], got (7, 5)."));
    }

    [Test]
    public void Shared_dense_embedding_and_activation_layers_take_what_keras_input_specs_allow()
    {
        var dense = new Dense(2);
        Assert.That(dense.Call(new Input([5, 3])).Shape, Is.EqualTo(new[] { 5, 2 }));
        Assert.That(dense.Call(new Input([9, 3])).Shape, Is.EqualTo(new[] { 9, 2 }));
        Assert.That(() => dense.Call(new Input([9, 4])), Throws.ArgumentException.With.Message.Contains("cannot take (9, 4)"));
        Assert.That(dense.Call(new Input([3])).Shape, Is.EqualTo(new[] { 2 }), "a row as well as a sequence of rows, as Keras's input spec allows");
        var tanh = new Activation(ActivationKind.Tanh);
        Assert.That(tanh.Call(new Input([4])).Shape, Is.EqualTo(new[] { 4 }));
        Assert.That(tanh.Call(new Input([5, 8])).Shape, Is.EqualTo(new[] { 5, 8 }), "no weights: any shape");
        var embedding = new Embedding(10, 4);
        Assert.That(embedding.Call(new Input([6])).Shape, Is.EqualTo(new[] { 6, 4 }));
        Assert.That(embedding.Call(new Input([11])).Shape, Is.EqualTo(new[] { 11, 4 }));
    }

    [Test]
    public void Every_call_checks_its_initial_states()
    {
        var x = new Input([4, 2]);
        var lstm = new Lstm(4);
        lstm.Call(x);
        Assert.That(() => lstm.Call(x, new Input([4])), Throws.ArgumentException.With.Message.Contains("takes a sequence and optionally 2 initial state(s) (h and c), got 1 initial state(s)"));
        Assert.That(() => lstm.Call(x, new Input([7]), new Input([7])), Throws.ArgumentException.With.Message.Contains("initial state 0 must be (4,), got (7,)"));

        var rnn = new Rnn(new PrimitiveLstmCell(3));
        Assert.That(() => rnn.Call(x, new Input([3])), Throws.ArgumentException.With.Message.Contains("optionally 2 initial state(s) (h and c), got 1 initial state(s)"));
        Assert.That(() => rnn.Call(x, new Input([3]), new Input([3]), new Input([3])), Throws.ArgumentException.With.Message.Contains("got 3 initial state(s)"));
        Assert.That(() => rnn.Call(x, new Input([6]), new Input([3])), Throws.ArgumentException.With.Message.Contains("initial state 0 must be (3,), got (6,)"));
        Assert.That(() => new Dense(2).Call(), Throws.ArgumentException.With.Message.Contains("was called without an input"));
    }

    [Test]
    public void An_input_passed_twice_is_refused()
    {
        var x = new Input([3]);
        Assert.That(() => new Model([x, x], [new Dense(1).Call(x)]), Throws.ArgumentException.With.Message.Contains("input 1 is input 0 again"));
    }

    [Test]
    public void A_disconnected_graph_names_the_layer_and_the_missing_input()
    {
        var x = new Input([4, 2]);
        var other = new Input([4, 3], name: "other");
        var lstm = new Lstm(2, name: "reader");
        Assert.That(() => new Model(x, lstm.Call(other)), Throws.ArgumentException.With.Message.Contains(
            "Layer 'reader' (LSTM) reads Input 'other' of shape (None, 4, 3), which is not among the model's inputs ((None, 4, 2)): the graph is disconnected."));
    }

    [Test]
    public void Layers_from_two_models_with_one_name_are_told_to_take_names_of_their_own()
    {
        var encoder = new Sequential(new Lstm(3, returnSequences: true, inputShape: [4, 2]));
        var decoder = new Sequential(new Lstm(3, inputShape: [4, 3]), new Dense(2));
        var x = new Input([4, 2]);
        Assert.That(() => new Model(x, decoder.Layers[1].Call(decoder.Layers[0].Call(encoder.Layers[0].Call(x)))),
            Throws.ArgumentException.With.Message.Contains("two layers named 'lstm'").And.Message.Contains("give them names of their own"));
    }

    [TestCase(false, TestName = "A layer called twice carries one state per call under truncated BPTT")]
    [TestCase(true, TestName = "A stateful layer called twice carries one state per call")]
    public void A_layer_called_twice_carries_one_state_per_call(bool stateful)
    {
        // Weights tied across a two-layer stack: cut into chunks (or fed in halves), it must compute what the whole does.
        var random = new Random(6);
        var xs = TestData.Uniform(random, 1, 2, 6, 3);
        var ys = TestData.Uniform(random, 1, 2, 6, 1);
        var x = new Input([null, 3], batchSize: stateful ? 2 : null);
        var lstm = new Lstm(3, returnSequences: true, stateful: stateful);
        using var model = new Model(x, new TimeDistributed(new Dense(1)).Call(lstm.Call(lstm.Call(x))));
        model.Compile(new Sgd(0), new MeanSquaredError(), device: Device.Cpu, seed: 5);
        if (stateful)
        {
            var whole = model.Predict(xs);
            model.ResetStates();
            var first = model.Predict(Model.SliceSteps(xs, 0, 3));
            var second = model.Predict(Model.SliceSteps(xs, 3, 3));
            Assert.That(second.Data, Is.EqualTo(Model.SliceSteps(whole, 3, 3).Data).Within(1e-6));
            Assert.That(first.Data, Is.EqualTo(Model.SliceSteps(whole, 0, 3).Data).Within(1e-6));
            return;
        }
        double full = model.Fit(xs, ys, shuffle: false, verbose: 0)["loss"][0];
        double chunked = model.Fit(xs, ys, shuffle: false, verbose: 0, truncatedBpttSteps: 2)["loss"][0];
        Assert.That(chunked, Is.EqualTo(full).Within(1e-6), "learning rate 0: the chunks see the states of the whole");
    }

    [Test]
    public void Summary_of_a_graph_that_is_not_a_chain_shows_what_each_layer_reads()
    {
        var tokens = new Input([5], name: "tokens");
        var state = new Input([4], name: "state");
        var embedded = new Embedding(10, 3, name: "embed").Call(tokens);
        var lstm = new Lstm(4, returnSequences: true, name: "lstm");
        var first = lstm.CallWithAllOutputs(embedded, state, state);
        var second = lstm.Call(new Dense(3, name: "project").Call(first[0]), state, state);
        using var model = new Model([tokens, state], [second]);
        string text = model.SummaryText();
        TestContext.Out.WriteLine(text);
        string[] lines = text.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.That(lines.Single(l => l.StartsWith(" Layer (type)")), Does.EndWith("Connected to"));
        Assert.That(lines.Single(l => l.StartsWith(" embed (Embedding)")), Does.EndWith("tokens[0][0]"));
        Assert.That(lines.Single(l => l.StartsWith(" lstm (LSTM)")), Does.Contain("(None, 5, 4)").And.EndWith("embed[0][0]"),
            "listed once, with what both calls read");
        int lstmLine = Array.FindIndex(lines, l => l.StartsWith(" lstm (LSTM)"));
        Assert.That(lines[(lstmLine + 1)..(lstmLine + 6)].Select(l => l.Trim()), Is.EqualTo(new[] { "state[0][0]", "state[0][0]", "project[0][0]", "state[0][0]", "state[0][0]" }));
        Assert.That(new Sequential(new Lstm(3, inputShape: [4, 2])).SummaryText(), Does.Not.Contain("Connected to"));
        var any = new Input([null, 2]);
        var shared = new Lstm(3, returnSequences: true);
        var six = new Input([6, 2]);
        using var twoLengths = new Model([any, six], [shared.Call(any), shared.Call(six)]);
        Assert.That(twoLengths.SummaryText(), Does.Contain("multiple"), "a shared layer whose calls differ in shape, as Keras writes it");
    }
}
