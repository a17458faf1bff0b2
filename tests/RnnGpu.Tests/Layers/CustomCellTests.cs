using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>A user's LSTM cell built from primitive ops matches the fused LSTM, forward and backward, and trains.</summary>
public class CustomCellTests
{
    [Test]
    public void Primitive_cell_equals_fused_lstm_in_outputs_and_gradients()
    {
        var random = new Random(9);
        var x = TestData.Uniform(random, 1, 3, 6, 4);
        var y = TestData.OneHot([0, 2, 1], 3, 3);
        var fused = new Sequential(new Lstm(5, inputShape: [6, 4]), new Dense(3, ActivationKind.Softmax));
        var custom = new Sequential(new Rnn(new PrimitiveLstmCell(5), inputShape: [6, 4]), new Dense(3, ActivationKind.Softmax));
        fused.Compile(new Sgd(), new CategoricalCrossentropy(), device: Device.CpuFloat64, seed: 1);
        custom.Compile(new Sgd(), new CategoricalCrossentropy(), device: Device.CpuFloat64, seed: 2);
        custom.SetWeights(fused.GetWeights());

        Assert.That(custom.Predict(x).Data, Is.EqualTo(fused.Predict(x).Data).Within(1e-6));
        var gf = ModelGradients.Gradients(fused, x, y);
        var gc = ModelGradients.Gradients(custom, x, y);
        for (int w = 0; w < gf.Length; w++)
            Assert.That(gc[w], Is.EqualTo(gf[w]).Within(1e-6), $"weight {fused.Weights[w].Path}");
    }

    [TestCase(false, TestName = "Truncated BPTT carries a custom cell's states across chunks (sequence to one)")]
    [TestCase(true, TestName = "Truncated BPTT carries a custom cell's states across chunks (sequence to sequence)")]
    public void Truncated_bptt_carries_a_custom_cells_states_as_the_fused_layer_does(bool sequences)
    {
        var random = new Random(4);
        var x = TestData.Uniform(random, 1, 4, 9, 2);
        var y = sequences ? TestData.Uniform(random, 1, 4, 9, 3) : TestData.Uniform(random, 1, 4, 3);
        Sequential Make(Layer recurrent) => new(recurrent, sequences ? new TimeDistributed(new Dense(3)) : new Dense(3));
        var fused = Make(new Lstm(3, returnSequences: sequences, inputShape: [9, 2]));
        var custom = Make(new Rnn(new PrimitiveLstmCell(3), returnSequences: sequences, inputShape: [9, 2]));
        fused.Compile(new Sgd(0.3), new MeanSquaredError(), device: Device.CpuFloat64, seed: 1);
        custom.Compile(new Sgd(0.3), new MeanSquaredError(), device: Device.CpuFloat64, seed: 2);
        custom.SetWeights(fused.GetWeights());

        var lossFused = fused.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, truncatedBpttSteps: 4)["loss"];
        var lossCustom = custom.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, truncatedBpttSteps: 4)["loss"];

        Assert.That(lossCustom, Is.EqualTo(lossFused).Within(1e-9));
        for (int w = 0; w < fused.Weights.Count; w++)
            Assert.That(custom.GetWeights()[w].Data, Is.EqualTo(fused.GetWeights()[w].Data).Within(1e-6), fused.Weights[w].Path);
    }

    [Test]
    public void A_cell_belongs_to_one_layer()
    {
        var cell = new PrimitiveLstmCell(3);
        var first = new Sequential(new Rnn(cell, name: "first", inputShape: [4, 2]));
        first.Build(Device.Cpu, seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => new Sequential(new Rnn(cell, name: "second", inputShape: [4, 2])).Build(Device.Cpu));
        Assert.That(e!.Message, Does.Contain("Layer 'second' (RNN)").And.Contain("already belongs to Layer 'first' (RNN)"));
    }

    [Test]
    public void A_cell_that_declares_a_weight_name_twice_is_an_error_naming_its_layer()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new Sequential(new Rnn(new TwiceNamedCell(), name: "twice", inputShape: [4, 2])));
        Assert.That(e!.Message, Does.Contain("Layer 'twice' (RNN) declares the weight 'w' twice"));
    }

    private sealed class TwiceNamedCell : RecurrentCell
    {
        public override int Units => 2;

        protected override void Build(int inputDim)
        {
            AddWeight("w", [inputDim, 2], Initializer.GlorotUniform);
            AddWeight("w", [2, 2], Initializer.Orthogonal);
        }

        protected override (RnnGpu.Graphs.Node Output, RnnGpu.Graphs.Node[] States) Step(RnnGpu.Graphs.Graph graph, RnnGpu.Graphs.Node input, RnnGpu.Graphs.Node[] states) =>
            throw new NotSupportedException("never run: building fails");
    }

    [Test]
    public void Primitive_cell_gradients_match_finite_differences()
    {
        var random = new Random(10);
        var model = new Sequential(new Rnn(new PrimitiveLstmCell(3), returnSequences: true, inputShape: [4, 2]), new TimeDistributed(new Dense(2)));
        model.Compile(new Sgd(), new MeanSquaredError(), device: Device.CpuFloat64, seed: 4);
        ModelGradients.Check(model, TestData.Uniform(random, 1, 2, 4, 2), TestData.Uniform(random, 1, 2, 4, 2));
    }

    [TestCase(1, 3, "declares 1 state(s) (StateCount), but its step returned 2", TestName = "A cell that returns more states than it declares is an error naming it")]
    [TestCase(2, 4, "declares 3 units, but its step returned an output of shape (2, 4) for a batch of 2, not (2, 3)", TestName = "A cell whose output is wider than its units is an error naming it")]
    public void A_cell_whose_step_does_not_match_its_declaration_is_an_error_naming_it(int declaredStates, int width, string problem)
    {
        var model = new Sequential(new Rnn(new MismatchedCell(declaredStates, width), name: "custom", inputShape: [4, 2]));
        model.Build(Device.Cpu, seed: 1);
        Assert.That(() => model.Predict(new Tensor(2, 4, 2)), Throws.InvalidOperationException.With.Message.EqualTo($"Layer 'custom' (RNN): cell MismatchedCell {problem}."));
    }

    /// <summary>Declares 3 units and <paramref name="states"/> state(s); its step returns an output of <paramref name="width"/> and two states.</summary>
    private sealed class MismatchedCell(int states, int width) : RecurrentCell
    {
        private Weight _kernel = null!;

        public override int Units => 3;

        public override int StateCount => states;

        protected override void Build(int inputDim) => _kernel = AddWeight("kernel", [inputDim, width], Initializer.GlorotUniform);

        protected override (RnnGpu.Graphs.Node Output, RnnGpu.Graphs.Node[] States) Step(RnnGpu.Graphs.Graph graph, RnnGpu.Graphs.Node input, RnnGpu.Graphs.Node[] states)
        {
            var h = graph.Tanh(graph.MatMul(input, Use(graph, _kernel)));
            return (h, [h, h]);
        }
    }
}
