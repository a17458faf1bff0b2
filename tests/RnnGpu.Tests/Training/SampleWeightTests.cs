using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;
using RnnGpu.Training;

namespace RnnGpu.Tests.Training;

/// <summary>
/// Keras's <c>sample_weight</c> and <c>class_weight</c>: the loss is Σ weight·loss over the (unmasked) rows divided by
/// their count, weights of zero remove a sample exactly, class weights are sample weights read from the targets, and
/// accuracy is not weighted (Keras weights only its <c>weighted_metrics</c>).
/// </summary>
public class SampleWeightTests
{
    private static Sequential Classifier(int seed, Device? device = null)
    {
        var model = new Sequential(new Gru(5, inputShape: [4, 3]), new Dense(3, ActivationKind.Softmax));
        model.Compile(new Sgd(0.5), new SparseCategoricalCrossentropy(), ["accuracy"], device: device ?? Device.CpuFloat64, seed: seed);
        return model;
    }

    private static (Tensor X, Tensor Y) Data(int n, int seed) =>
        (TestData.Uniform(new Random(seed), 1, n, 4, 3), TestData.Labels([.. Enumerable.Range(0, n).Select(i => i % 3)], n));

    [Test]
    public void The_weighted_loss_is_the_weighted_sum_over_the_sample_count()
    {
        using var model = Classifier(1);
        var (x, y) = Data(5, 2);
        float[] w = [0.5f, 2, 0, 1, 3];
        double expected = Enumerable.Range(0, 5).Sum(i => w[i] * model.Evaluate(x.SliceRows(i, 1), y.SliceRows(i, 1))["loss"]) / 5;
        var weighted = model.Evaluate(x, y, batchSize: 2, sampleWeight: new Tensor(w, 5));
        Assert.That(weighted["loss"], Is.EqualTo(expected).Within(1e-9), "divided by the 5 samples, not by the weights' sum 6.5");
        Assert.That(weighted["accuracy"], Is.EqualTo(model.Evaluate(x, y)["accuracy"]), "accuracy is not weighted");
    }

    [Test]
    public void Per_step_weights_of_a_masked_sequence_average_over_its_real_steps()
    {
        using var model = new Sequential(new Embedding(6, 2, maskZero: true, inputShape: [4]), new Lstm(3, returnSequences: true), new TimeDistributed(new Dense(1)));
        model.Compile(new Sgd(0), new MeanSquaredError(), device: Device.CpuFloat64, seed: 3);
        var x = Tensor.FromIndices([1, 2, 0, 0, 3, 4, 5, 1], 2, 4);
        var y = TestData.Uniform(new Random(4), 1, 2, 4, 1);
        var w = new Tensor([1, 2, 5, 5, 0, 1, 0.5f, 3], 2, 4);
        var p = model.Predict(x);
        double sum = 0;
        int real = 0;
        for (int n = 0; n < 2; n++)
            for (int t = 0; t < 4; t++)
                if (x[n, t] != 0) { sum += w[n, t] * Math.Pow(p[n, t, 0] - y[n, t, 0], 2); real++; }
        Assert.That(model.Evaluate(x, y, sampleWeight: w)["loss"], Is.EqualTo(sum / real).Within(1e-9), "the padded steps' weights (5, 5) count for nothing");
    }

    [Test]
    public void A_weight_of_zero_removes_a_sample_exactly()
    {
        // Keras's normalisation by the sample count: weights [0, 2] over two samples train as the second one alone.
        var (x, y) = Data(2, 5);
        using var weighted = Classifier(6);
        using var alone = Classifier(6);
        weighted.Fit(x, y, epochs: 3, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: new Tensor([0, 2], 2));
        alone.Fit(x.SliceRows(1, 1), y.SliceRows(1, 1), epochs: 3, batchSize: 1, verbose: 0);
        var a = weighted.GetWeights();
        var b = alone.GetWeights();
        for (int i = 0; i < a.Count; i++) Assert.That(a[i].Data, Is.EqualTo(b[i].Data).Within(1e-12), weighted.Weights[i].Path);
    }

    [Test]
    public void Class_weights_are_sample_weights_read_from_the_targets()
    {
        var (x, y) = Data(9, 7);
        var oneHot = TestData.OneHot([.. y.Data.Select(v => (int)v)], 3, 9);
        var byClass = new Dictionary<int, double> { [0] = 0.25, [2] = 4 };
        var perSample = new Tensor([.. y.Data.Select(v => v switch { 0 => 0.25f, 2 => 4f, _ => 1f })], 9);
        using var fromClasses = Classifier(8);
        using var fromSamples = Classifier(8);
        var h1 = fromClasses.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, classWeight: byClass);
        var h2 = fromSamples.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: perSample);
        Assert.That(h1["loss"], Is.EqualTo(h2["loss"]));
        using var categorical = new Sequential(new Gru(5, inputShape: [4, 3]), new Dense(3, ActivationKind.Softmax));
        categorical.Compile(new Sgd(0.5), new CategoricalCrossentropy(), device: Device.CpuFloat64, seed: 8);
        var h3 = categorical.Fit(x, oneHot, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, classWeight: byClass);
        Assert.That(h3["loss"], Is.EqualTo(h2["loss"]).Within(1e-12), "one-hot targets give their arg-max's weight");
    }

    [Test]
    public void Held_out_weights_weight_the_validation_loss()
    {
        var (x, y) = Data(10, 9);
        var w = new Tensor([.. Enumerable.Range(0, 10).Select(i => (float)(i % 4))], 10);
        using var model = Classifier(10);
        var history = model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, validationSplit: 0.3, sampleWeight: w);
        Assert.That(history["val_loss"][0], Is.EqualTo(model.Evaluate(x.SliceRows(7, 3), y.SliceRows(7, 3), sampleWeight: w.SliceRows(7, 3))["loss"]).Within(1e-12));
    }

    [Test]
    public void Class_weights_weight_training_but_not_the_validation_loss()
    {
        // Keras passes class_weight to the training data only; validation takes sample weights alone.
        var (x, y) = Data(10, 16);
        using var model = Classifier(17);
        var history = model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, validationSplit: 0.4, classWeight: new Dictionary<int, double> { [0] = 10, [1] = 0.1 });
        Assert.That(history["val_loss"][0], Is.EqualTo(model.Evaluate(x.SliceRows(6, 4), y.SliceRows(6, 4))["loss"]).Within(1e-12));
    }

    [Test]
    public void A_column_of_weights_is_one_weight_per_sample()
    {
        using var model = Classifier(18);
        var (x, y) = Data(4, 19);
        float[] w = [1, 2, 0, 3];
        Assert.That(model.Evaluate(x, y, sampleWeight: new Tensor(w, 4, 1))["loss"], Is.EqualTo(model.Evaluate(x, y, sampleWeight: new Tensor(w, 4))["loss"]));
    }

    [Test]
    public void Unit_weights_change_nothing_under_truncated_bptt()
    {
        var x = TestData.Uniform(new Random(11), 1, 4, 6, 2);
        var y = TestData.Uniform(new Random(12), 1, 4, 6, 1);
        History Train(Tensor? weights, double learningRate = 0.1)
        {
            using var model = new Sequential(new SimpleRnn(3, returnSequences: true, inputShape: [6, 2]), new TimeDistributed(new Dense(1)));
            model.Compile(new Sgd(learningRate), new MeanSquaredError(), device: Device.CpuFloat64, seed: 13);
            return model.Fit(x, y, epochs: 2, batchSize: 2, shuffle: false, verbose: 0, truncatedBpttSteps: 4, sampleWeight: weights);
        }
        var plain = Train(null)["loss"];
        Assert.That(Train(new Tensor([.. Enumerable.Repeat(1f, 4)], 4))["loss"], Is.EqualTo(plain));
        Assert.That(Train(new Tensor([.. Enumerable.Repeat(1f, 24)], 4, 6))["loss"], Is.EqualTo(plain));
        Assert.That(Train(new Tensor([.. Enumerable.Repeat(2f, 24)], 4, 6), learningRate: 0)["loss"], Is.EqualTo(Train(null, learningRate: 0)["loss"].Select(l => 2 * l)).Within(1e-12),
            "weights of 2 double the loss of every chunk");
    }

    [Test]
    public void Bad_weights_are_errors_that_say_what_fits()
    {
        var (x, y) = Data(4, 14);
        using var model = Classifier(15);
        Assert.That(() => model.Fit(x, y, verbose: 0, sampleWeight: new Tensor(new float[3], 3)), Throws.ArgumentException.With.Message.Contains(
            "sampleWeight must be one weight per sample, [4]; got (3,)."));
        Assert.That(() => model.Fit(x, y, verbose: 0, sampleWeight: new Tensor([1, 1, -1, 1], 4)), Throws.ArgumentException.With.Message.Contains(
            "sampleWeight holds -1 at flat position 2; weights must be finite and not negative."));
        Assert.That(() => model.Fit(x, y, verbose: 0, sampleWeight: new Tensor(new float[4], 4), classWeight: new Dictionary<int, double> { [0] = 2 }),
            Throws.ArgumentException.With.Message.Contains("give classWeight or sampleWeight, not both"));
        Assert.That(() => model.Fit(x, y, verbose: 0, classWeight: new Dictionary<int, double> { [1] = double.NaN }),
            Throws.ArgumentException.With.Message.Contains("classWeight[1] is NaN"));
        using var tagger = new Sequential(new Lstm(2, returnSequences: true, inputShape: [4, 3]), new TimeDistributed(new Dense(3, ActivationKind.Softmax)));
        tagger.Compile("sgd", "categorical_crossentropy", device: Device.Cpu);
        var perStep = TestData.OneHot([.. Enumerable.Range(0, 16).Select(i => i % 3)], 3, 4, 4);
        Assert.That(() => tagger.Fit(x, perStep, verbose: 0, classWeight: new Dictionary<int, double> { [0] = 2 }), Throws.ArgumentException.With.Message.Contains(
            "classWeight needs one class per sample, targets [N] or [N, classes]; got (4, 4, 3). For a class per timestep, pass sampleWeight [N, T]"));
        Assert.That(() => tagger.Fit(x, perStep, verbose: 0, sampleWeight: new Tensor(new float[12], 4, 3)), Throws.ArgumentException.With.Message.Contains(
            "sampleWeight must be one weight per sample, [4], or per sample and step, [4, 4]; got (4, 3)."));
        tagger.Compile("sgd", "sparse_categorical_crossentropy", device: Device.Cpu);
        Assert.That(() => tagger.Fit(x, TestData.Labels([.. Enumerable.Range(0, 16).Select(i => i % 3)], 4, 4), verbose: 0, classWeight: new Dictionary<int, double> { [0] = 2 }),
            Throws.ArgumentException.With.Message.Contains("classWeight needs one class per sample"), "sparse per-step targets too, which Keras would read as one-hot rows");
    }
}
