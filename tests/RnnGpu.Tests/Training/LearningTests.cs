using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Training;

/// <summary>Learning actually happens: the tutorial's memorisation task and a small sequence classifier.</summary>
public class LearningTests
{
    private const string Sentence = "*Der Cottbuser Postkutscher putzt den Cottbuser Postkutschkasten.";

    [Test]
    public void Cottbuser_postkutscher_is_memorised_and_replayed_by_a_stateful_batch_one_model()
    {
        var vocabulary = Sentence.Distinct().OrderBy(c => c).ToList();
        int v = vocabulary.Count, steps = Sentence.Length - 1;
        var x = TestData.OneHot([.. Sentence[..^1].Select(c => vocabulary.IndexOf(c))], v, 1, steps);
        var y = TestData.OneHot([.. Sentence[1..].Select(c => vocabulary.IndexOf(c))], v, 1, steps);

        var model = new Sequential(
            new Gru(50, returnSequences: true, inputShape: [null, v]),
            new Gru(50, returnSequences: true),
            new TimeDistributed(new Dense(v, ActivationKind.Softmax)));
        model.Compile(new Adam(0.01), new RnnGpu.Losses.CategoricalCrossentropy(), ["accuracy"], Device.Cpu, seed: 1);
        var history = model.Fit(x, y, epochs: 150, batchSize: 1, verbose: 0);
        Assert.That(history["accuracy"][^1], Is.EqualTo(1.0), "every next character predicted on the training sequence");

        var predictor = new Sequential(
            new Gru(50, returnSequences: true, stateful: true, inputShape: [null, v], batchSize: 1),
            new Gru(50, returnSequences: true, stateful: true),
            new TimeDistributed(new Dense(v, ActivationKind.Softmax)));
        predictor.Build(Device.Cpu);
        predictor.SetWeights(model.GetWeights());
        predictor.ResetStates();
        var text = new System.Text.StringBuilder("*");
        while (text.Length < Sentence.Length)
        {
            var step = TestData.OneHot([vocabulary.IndexOf(text[^1])], v, 1, 1);
            text.Append(vocabulary[predictor.PredictClasses(step)[0]]);
        }
        Assert.That(text.ToString(), Is.EqualTo(Sentence));
    }

    [Test]
    public void Lstm_classifier_learns_which_channel_carries_the_signal()
    {
        // Each sequence has 3 noisy channels; one of them carries a positive drift. The class is that channel.
        var random = new Random(4);
        (Tensor X, Tensor Y) Make(int n)
        {
            var x = new Tensor(n, 12, 3);
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = random.Next(3);
                for (int t = 0; t < 12; t++)
                    for (int c = 0; c < 3; c++)
                        x[i, t, c] = (float)(random.NextDouble() - 0.5 + (c == labels[i] ? 0.35 : 0));
            }
            return (x, TestData.Labels(labels, n));
        }
        var (xTrain, yTrain) = Make(600);
        var (xTest, yTest) = Make(200);
        var model = new Sequential(new Lstm(16, inputShape: [12, 3]), new Dense(3, ActivationKind.Softmax));
        model.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"], Device.Cpu, seed: 2);
        model.Fit(xTrain, yTrain, epochs: 15, batchSize: 32, verbose: 0, validationSplit: 0.1);
        Assert.That(model.Evaluate(xTest, yTest)["accuracy"], Is.GreaterThan(0.9));
    }

    [Test]
    public void A_model_with_initial_state_inputs_learns_from_them()
    {
        // The sequence is noise; the class is written only into the initial hidden state, so the model has to learn to
        // carry it from h0 through the steps: proof that Fit feeds every input.
        var random = new Random(6);
        (Tensor[] X, Tensor Y) Make(int n)
        {
            var x = TestData.Uniform(random, 1, n, 4, 2);
            var h0 = new Tensor(n, 8);
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % 3;
                h0[i, labels[i]] = 1;
            }
            return ([x, h0, new Tensor(n, 8)], TestData.Labels(labels, n));
        }
        var input = new Input([4, 2]);
        var h = new Input([8], name: "h0");
        var c = new Input([8], name: "c0");
        var state = new Lstm(8).CallWithAllOutputs(input, h, c)[0];
        var model = new Model([input, h, c], [new Dense(3, ActivationKind.Softmax).Call(state)]);
        model.Compile(new Adam(0.02), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"], Device.Cpu, seed: 1);

        var (train, labels) = Make(192);
        var history = model.Fit(train, labels, epochs: 30, batchSize: 32, verbose: 0, validationSplit: 0.25);
        var (test, testLabels) = Make(60);
        var scores = model.Evaluate(test, testLabels);
        TestContext.Out.WriteLine($"loss {history["loss"][0]:F3} → {history["loss"][^1]:F3}, val_accuracy {history["val_accuracy"][^1]:F3}, test accuracy {scores["accuracy"]:F3}");
        Assert.That(history["val_accuracy"][^1], Is.GreaterThan(0.9));
        Assert.That(scores["accuracy"], Is.GreaterThan(0.9));
    }
}
