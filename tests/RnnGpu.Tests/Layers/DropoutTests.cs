using RnnGpu.Backends;
using RnnGpu.Graphs;
using RnnGpu.Layers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>
/// Keras's dropout as a recurrent layer applies it (<c>dropout=</c>: one draw of input features per sequence, the same
/// at every step) and as <c>Dropout(noise_shape)</c> shares draws along axes of extent 1; neither acts at inference.
/// </summary>
public class DropoutTests
{
    private static Node[] Run(Model model, Tensor x, bool training, int seed)
    {
        var graph = new Graph(model.Backend!, training);
        var input = graph.Constant(model.Backend!.Upload(x.Data, x.Shape), owned: true);
        return model.Forward(graph, [input], new LayerContext { Training = training, Random = new Random(seed), HostInputs = LayerContext.HostInputsOf([input], [x]) });
    }

    private static float[] Values(Node node)
    {
        var data = new float[node.Value.Length];
        node.Value.Backend.Download(node.Value, data);
        return data;
    }

    [Test]
    public void A_noise_shape_with_a_one_shares_the_draw_along_that_axis()
    {
        using var model = new Sequential(new Dropout(0.5, noiseShape: [null, 1, null], inputShape: [6, 5]));
        model.Build(Device.Cpu, seed: 1);
        var ones = new Tensor([.. Enumerable.Repeat(1f, 3 * 6 * 5)], 3, 6, 5);
        var y = Values(Run(model, ones, training: true, seed: 2)[0]);
        for (int b = 0; b < 3; b++)
            for (int f = 0; f < 5; f++)
            {
                float first = y[b * 30 + f];
                Assert.That(first, Is.EqualTo(0).Or.EqualTo(2), "inverted dropout: dropped, or scaled by 1/(1-rate)");
                for (int t = 1; t < 6; t++) Assert.That(y[(b * 6 + t) * 5 + f], Is.EqualTo(first), $"row {b}, feature {f}, step {t}");
            }
        Assert.That(y.Distinct().Count(), Is.EqualTo(2), "some features dropped, some kept");
    }

    [TestCase("lstm")]
    [TestCase("gru")]
    [TestCase("simple_rnn")]
    public void A_recurrent_layers_dropout_drops_the_same_input_features_at_every_step(string kind)
    {
        RecurrentLayer Make(double dropout) => kind switch
        {
            "lstm" => new Lstm(4, returnSequences: true, dropout: dropout, inputShape: [5, 3]),
            "gru" => new Gru(4, returnSequences: true, dropout: dropout, inputShape: [5, 3]),
            _ => new SimpleRnn(4, returnSequences: true, dropout: dropout, inputShape: [5, 3]),
        };
        var x = TestData.Uniform(new Random(3), 1, 2, 5, 3);
        using var dropping = new Sequential(Make(0.4));
        using var plain = new Sequential(Make(0));
        dropping.Build(Device.Cpu, seed: 1);
        plain.Build(Device.Cpu, seed: 2);
        plain.SetWeights(dropping.GetWeights());
        // The same draws as the layer's, from the same seed: one per (row, feature), kept with probability 0.6, scaled by 1/0.6.
        var random = new Random(7);
        var keep = Enumerable.Range(0, 2 * 3).Select(_ => random.NextDouble() >= 0.4 ? 1 / 0.6f : 0f).ToArray();
        var masked = new Tensor((float[])x.Data.Clone(), x.Shape);
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 5; t++)
                for (int f = 0; f < 3; f++) masked.Data[(b * 5 + t) * 3 + f] *= keep[b * 3 + f];
        Assert.That(keep, Does.Contain(0f), "the seed drops at least one feature");
        Assert.That(Values(Run(dropping, x, training: true, seed: 7)[0]), Is.EqualTo(Values(Run(plain, masked, training: false, seed: 0)[0])).Within(1e-6));
        Assert.That(dropping.Predict(x).Data, Is.EqualTo(plain.Predict(x).Data), "no dropout at inference");
    }

    [Test]
    public void Bidirectional_copies_keep_the_dropout()
    {
        var both = new Bidirectional(new Gru(3, dropout: 0.25, goBackwards: false));
        Assert.That(((Gru)both.ForwardLayer).Dropout, Is.EqualTo(0.25));
        Assert.That(((Gru)both.BackwardLayer).Dropout, Is.EqualTo(0.25));
    }

    [Test]
    public void Bad_rates_and_noise_shapes_are_errors_that_name_the_layer()
    {
        Assert.That(() => new Lstm(3, dropout: 1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Input dropout must be in [0, 1)"));
        Assert.That(() => new Dropout(0.2, noiseShape: [null, 0]), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("[null, 0] needs positive extents"));
        using var model = new Sequential(new Dropout(0.5, noiseShape: [null, 2, null], name: "drop", inputShape: [6, 5]));
        model.Compile("sgd", "mse", device: Device.Cpu);
        var x = TestData.Uniform(new Random(1), 1, 2, 6, 5);
        Assert.That(() => model.Fit(x, x, epochs: 1, verbose: 0), Throws.ArgumentException.With.Message.Contains(
            "Layer 'drop' (Dropout): noise shape axis 1 is 2, but the input (2, 6, 5) has 6 there; give 1, null or 6."));
        using var inactive = new Sequential(new Dropout(0, noiseShape: [null, 1], inputShape: [6, 5]));
        inactive.Compile("sgd", "mse", device: Device.Cpu);
        Assert.That(() => inactive.Fit(x, x, epochs: 1, verbose: 0), Throws.Nothing, "a rate of 0 does nothing, as Keras's call skips it");
    }
}
