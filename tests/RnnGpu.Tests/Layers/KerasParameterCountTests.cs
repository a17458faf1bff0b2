using RnnGpu.Layers;

namespace RnnGpu.Tests.Layers;

/// <summary>Parameter counts and summary table as Keras prints them.</summary>
public class KerasParameterCountTests
{
    [TestCase(3, 1, 15)]
    [TestCase(50, 30, 4_050)]
    public void SimpleRnn(int units, int features, int expected) =>
        Assert.That(new Sequential(new SimpleRnn(units, inputShape: [null, features])).ParameterCount, Is.EqualTo(expected));

    [Test]
    public void Lstm_50_on_30() => Assert.That(new Sequential(new Lstm(50, inputShape: [null, 30])).ParameterCount, Is.EqualTo(16_200));

    [TestCase(false, 12_150)]
    [TestCase(true, 12_300)]
    public void Gru_50_on_30(bool resetAfter, int expected) =>
        Assert.That(new Sequential(new Gru(50, resetAfter: resetAfter, inputShape: [null, 30])).ParameterCount, Is.EqualTo(expected));

    [Test]
    public void Fashion_mnist_model_summary_matches_keras()
    {
        var model = new Sequential(new Lstm(30, inputShape: [28, 28]), new Dense(10, ActivationKind.Softmax));
        string text = model.SummaryText();
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("lstm (LSTM)"));
            Assert.That(text, Does.Contain("(None, 30)"));
            Assert.That(text, Does.Contain("7080"));
            Assert.That(text, Does.Contain("dense (Dense)"));
            Assert.That(text, Does.Contain("310"));
            Assert.That(text, Does.Contain("Total params: 7,390"));
        });
    }

    [Test]
    public void Stacked_gru_with_time_distributed_head_and_weight_shapes()
    {
        var model = new Sequential(
            new Gru(50, returnSequences: true, inputShape: [null, 65]),
            new Gru(50, returnSequences: true),
            new TimeDistributed(new Dense(65, ActivationKind.Softmax)));
        Assert.That(model.Layers.Select(l => l.Name), Is.EqualTo(new[] { "gru", "gru_1", "time_distributed" }));
        Assert.That(model.Layers[2].OutputShape, Is.EqualTo(new[] { -1, 65 }));
        Assert.That(model.Weights.Select(w => w.Path), Is.EqualTo(new[]
        {
            "gru/kernel", "gru/recurrent_kernel", "gru/bias", "gru_1/kernel", "gru_1/recurrent_kernel", "gru_1/bias",
            "time_distributed/kernel", "time_distributed/bias",
        }));
        Assert.That(model.Weights[2].Shape, Is.EqualTo(new[] { 2, 150 }));
        Assert.That(model.ParameterCount, Is.EqualTo(3 * (65 * 50 + 50 * 50 + 100) + 3 * (50 * 50 + 50 * 50 + 100) + 50 * 65 + 65));
    }

    [Test]
    public void Embedding_and_return_sequences_shapes()
    {
        var model = new Sequential(new Embedding(1000, 64, inputShape: [null]), new Lstm(32, returnSequences: true), new Lstm(16));
        Assert.That(model.Layers.Select(l => l.OutputShape), Is.EqualTo(new[] { new[] { -1, 64 }, [-1, 32], [16] }));
        Assert.That(model.Layers[0].ParameterCount, Is.EqualTo(64_000));
    }

    [Test]
    public void Summary_keeps_columns_aligned_when_a_name_is_long()
    {
        var model = new Sequential(new Gru(4, returnSequences: true, inputShape: [null, 21]), new TimeDistributed(new Dense(21, ActivationKind.Softmax)));
        var lines = model.SummaryText().Split('\n');
        int shapeColumn = lines.Single(l => l.Contains("Output Shape")).IndexOf("Output Shape", StringComparison.Ordinal);
        int paramColumn = lines.Single(l => l.Contains("Output Shape")).IndexOf("Param #", StringComparison.Ordinal);
        foreach (var (row, parameters) in new[] { ("gru (GRU)", "324"), ("time_distributed (TimeDistributed)", "105") })
        {
            string line = lines.Single(l => l.Contains(row));
            Assert.That(line.IndexOf("(None", StringComparison.Ordinal), Is.EqualTo(shapeColumn), line);
            Assert.That(line.IndexOf(parameters, paramColumn, StringComparison.Ordinal), Is.EqualTo(paramColumn), line);
        }
    }

    [Test]
    public void Summary_of_a_functional_model_lists_its_inputs_and_an_unbuilt_model_says_why_it_cannot()
    {
        var x = new Input([null, 3], name: "sequence");
        var h0 = new Input([4], name: "h0");
        var c0 = new Input([4], name: "c0");
        var model = new Model([x, h0, c0], [new Lstm(4).CallWithAllOutputs(x, h0, c0)[0]]);
        string text = model.SummaryText();
        Assert.That(text, Does.Contain("sequence (InputLayer)").And.Contain("h0 (InputLayer)").And.Contain("(None, 4)"));
        Assert.That(new Sequential(new Lstm(3)).SummaryText, Throws.InvalidOperationException.With.Message.Contains("not built yet"));
        Assert.That(new Sequential(new Dense(1, inputShape: [1])).SummaryText(), Does.Contain("Total params: 2 (8.00 B)"));
    }

    [Test]
    public void Summary_and_progress_print_numbers_as_keras_does_whatever_the_current_culture()
    {
        var culture = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberGroupSeparator = ".";
        culture.NumberFormat.NumberDecimalSeparator = ",";
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = culture;
        try
        {
            var model = new Sequential(new Lstm(30, inputShape: [28, 28]), new Dense(10, ActivationKind.Softmax));
            Assert.That(model.SummaryText(), Does.Contain("Total params: 7,390 (28.87 KB)"));
            Assert.That(RnnGpu.Training.ProgressBar.Format(new Dictionary<string, double> { ["loss"] = 0.41384 }), Is.EqualTo(" - loss: 0.4138"));
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = previous; }
    }
}
