using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>Whole models (layers with their options, stacked, with heads) against finite differences in float64.</summary>
public class LayerGradientTests
{
    private static void CheckModel(Model model, Loss loss, Tensor x, Tensor y)
    {
        model.Compile(new Sgd(), loss, device: Device.CpuFloat64, seed: 11);
        ModelGradients.Check(model, x, y);
    }

    [Test]
    public void Stacked_lstm_with_time_distributed_softmax()
    {
        var random = new Random(1);
        var model = new Sequential(new Lstm(4, returnSequences: true, inputShape: [5, 3]), new Lstm(3, returnSequences: true), new TimeDistributed(new Dense(4, ActivationKind.Softmax)));
        CheckModel(model, new CategoricalCrossentropy(), TestData.Uniform(random, 1, 2, 5, 3), TestData.OneHot([0, 1, 2, 3, 0, 1, 2, 3, 0, 1], 4, 2, 5));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Embedding_with_mask_zero_into_gru_and_dense(bool resetAfter)
    {
        // Sequences padded with 0 at the front (Keras' default pre-padding); masked steps must not contribute.
        var x = new Tensor([0, 0, 3, 1, 2, 0, 4, 4, 1, 2, 3, 1], 2, 6);
        var model = new Sequential(new Embedding(5, 3, maskZero: true, inputShape: [6]), new Gru(4, resetAfter: resetAfter), new Dense(3, ActivationKind.Softmax));
        CheckModel(model, new SparseCategoricalCrossentropy(), x, TestData.Labels([2, 0], 2));
    }

    [Test]
    public void Masking_layer_into_simple_rnn_sequence_output_with_masked_loss()
    {
        var random = new Random(2);
        var x = TestData.Uniform(random, 1, 2, 4, 2);
        for (int f = 0; f < 2; f++) { x[1, 3, f] = 0; x[0, 0, f] = 0; } // padded steps
        var model = new Sequential(new Masking(0, inputShape: [4, 2]), new SimpleRnn(3, returnSequences: true), new TimeDistributed(new Dense(2)));
        CheckModel(model, new MeanSquaredError(), x, TestData.Uniform(random, 1, 2, 4, 2));
    }

    [Test]
    public void Dense_heads_with_sigmoid_binary_crossentropy()
    {
        var random = new Random(3);
        var model = new Sequential(new SimpleRnn(3, ActivationKind.Tanh, inputShape: [3, 2]), new Dense(4, ActivationKind.Tanh), new Dense(1, ActivationKind.Sigmoid));
        CheckModel(model, new BinaryCrossentropy(), TestData.Uniform(random, 1, 3, 3, 2), new Tensor([1f, 0f, 1f], 3, 1));
    }

    [Test]
    public void Functional_lstm_with_initial_state_and_return_state()
    {
        var random = new Random(4);
        var input = new Input([4, 2]);
        var (seq, h, c) = Unpack(new Lstm(3, returnSequences: true, returnState: true).CallWithAllOutputs(input));
        var second = new Lstm(3).Call(seq, h, c); // the second layer starts from the first one's final states
        var output = new Dense(2, ActivationKind.Softmax).Call(second);
        var model = new Model(input, output);
        CheckModel(model, new CategoricalCrossentropy(), TestData.Uniform(random, 1, 2, 4, 2), TestData.OneHot([1, 0], 2, 2));
    }

    private static (SymbolicTensor, SymbolicTensor, SymbolicTensor) Unpack(SymbolicTensor[] s) => (s[0], s[1], s[2]);
}
