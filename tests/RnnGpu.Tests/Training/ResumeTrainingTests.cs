using RnnGpu.IO;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;
using RnnGpu.Training;

namespace RnnGpu.Tests.Training;

/// <summary>
/// A weight file with the optimizer's state, and <c>Fit(initialEpoch:)</c>: training stopped, saved and resumed in a
/// new model ends with the weights of an uninterrupted run, as Keras's <c>save_weights</c> / <c>load_weights</c> of a
/// compiled model promise.
/// </summary>
public class ResumeTrainingTests
{
    private static readonly Random Data = new(5);
    private static readonly Tensor X = TestData.Uniform(Data, 1, 24, 5, 3);
    private static readonly Tensor Y = TestData.Labels([.. Enumerable.Range(0, 24).Select(i => i % 3)], 24);

    private static Sequential NewModel(Optimizer optimizer, int seed)
    {
        var model = new Sequential(new Lstm(6, inputShape: [5, 3]), new Dense(3, ActivationKind.Softmax));
        model.Compile(optimizer, new SparseCategoricalCrossentropy(), device: Device.Cpu, seed: seed);
        return model;
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"rnngpu-resume-{Guid.NewGuid():N}.safetensors");

    private static IEnumerable<TestCaseData> Optimizers()
    {
        yield return new TestCaseData((Func<Optimizer>)(() => new Adam(0.01))).SetArgDisplayNames("adam");
        yield return new TestCaseData((Func<Optimizer>)(() => new RmsProp(0.01))).SetArgDisplayNames("rmsprop");
        yield return new TestCaseData((Func<Optimizer>)(() => new Sgd(0.1, momentum: 0.9, nesterov: true))).SetArgDisplayNames("sgd-nesterov");
    }

    [TestCaseSource(nameof(Optimizers))]
    public void Training_resumed_from_a_file_with_the_optimizer_state_matches_an_uninterrupted_run(Func<Optimizer> optimizer)
    {
        var straight = NewModel(optimizer(), seed: 1);
        straight.Fit(X, Y, epochs: 4, batchSize: 8, shuffle: false, verbose: 0);

        var first = NewModel(optimizer(), seed: 1);
        first.Fit(X, Y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0);
        string path = TempFile();
        try
        {
            first.SaveWeights(path, includeOptimizer: true);
            var resumed = NewModel(optimizer(), seed: 2);
            resumed.LoadWeights(path);
            Assert.That(resumed.Optimizer!.Iterations, Is.EqualTo(6), "3 batches in each of 2 epochs");
            var history = resumed.Fit(X, Y, epochs: 4, batchSize: 8, shuffle: false, verbose: 0, initialEpoch: 2);
            Assert.That(history.Epochs, Is.EqualTo(2));
            Assert.That(resumed.GetWeights().Select(w => w.Data), Is.EqualTo(straight.GetWeights().Select(w => w.Data)),
                "same weights, bit for bit, as four epochs in one run");

            var restarted = NewModel(optimizer(), seed: 2);
            restarted.LoadWeights(path, restoreOptimizer: false);
            restarted.Fit(X, Y, epochs: 4, batchSize: 8, shuffle: false, verbose: 0, initialEpoch: 2);
            Assert.That(restarted.GetWeights()[0].Data, Is.Not.EqualTo(straight.GetWeights()[0].Data),
                "without the optimizer's state the run differs, so the state is what made the difference");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void The_file_names_each_slot_after_its_weight_and_keeps_the_update_count_and_learning_rate()
    {
        var model = NewModel(new Adam(0.01), seed: 1);
        model.Fit(X, Y, epochs: 1, batchSize: 12, verbose: 0);
        model.Optimizer!.LearningRate = 0.0025;
        string path = TempFile();
        try
        {
            model.SaveWeights(path, includeOptimizer: true);
            var content = SafeTensorsFile.Read(path);
            Assert.That(content.Tensors.Select(kv => kv.Key), Is.SupersetOf(new[] { "lstm/kernel", "optimizer/lstm/kernel/momentum", "optimizer/lstm/kernel/velocity", "optimizer/dense/bias/velocity" }));
            Assert.That(content.Metadata["optimizer"], Is.EqualTo("adam"));
            Assert.That(content.Metadata["optimizer.iterations"], Is.EqualTo("2"));

            var other = NewModel(new Adam(), seed: 2);
            other.LoadWeights(path);
            Assert.That(other.Optimizer!.LearningRate, Is.EqualTo(0.0025), "a reduced learning rate is part of the state");

            model.SaveWeights(path);
            Assert.That(SafeTensorsFile.Read(path).Tensors.Select(kv => kv.Key), Has.None.StartsWith("optimizer/"), "weights only by default");
            other.LoadWeights(path);
            Assert.That(other.Optimizer.Iterations, Is.EqualTo(2), "a file without optimizer state leaves the optimizer as it was");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void A_file_from_another_kind_of_optimizer_is_refused_before_anything_changes()
    {
        var adam = NewModel(new Adam(0.01), seed: 1);
        adam.Fit(X, Y, epochs: 1, batchSize: 12, verbose: 0);
        var sgd = NewModel(new Sgd(0.1), seed: 2);
        var before = sgd.GetWeights();
        string path = TempFile();
        try
        {
            adam.SaveWeights(path, includeOptimizer: true);
            var error = Assert.Throws<InvalidDataException>(() => sgd.LoadWeights(path));
            Assert.That(error!.Message, Does.Contain("'adam'").And.Contain("'sgd'").And.Contain("restoreOptimizer: false"));
            Assert.That(sgd.GetWeights().Select(w => w.Data), Is.EqualTo(before.Select(w => w.Data)));

            sgd.LoadWeights(path, restoreOptimizer: false);
            Assert.That(sgd.GetWeights().Select(w => w.Data), Is.EqualTo(adam.GetWeights().Select(w => w.Data)));

            var momentum = NewModel(new Sgd(0.1, momentum: 0.5), seed: 3);
            momentum.Fit(X, Y, epochs: 1, batchSize: 12, verbose: 0);
            momentum.SaveWeights(path, includeOptimizer: true);
            Assert.That(() => sgd.LoadWeights(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("'momentum' slot").And.Message.Contains("slots: none"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void A_damaged_optimizer_entry_is_an_error_naming_it()
    {
        var model = NewModel(new Adam(0.01), seed: 1);
        model.Fit(X, Y, epochs: 1, batchSize: 12, verbose: 0);
        string path = TempFile();
        try
        {
            model.SaveWeights(path, includeOptimizer: true);
            var content = SafeTensorsFile.Read(path);
            void Rewrite(Func<KeyValuePair<string, Tensor>, bool> keep, Action<Dictionary<string, string>>? edit = null)
            {
                var metadata = content.Metadata.ToDictionary();
                edit?.Invoke(metadata);
                SafeTensorsFile.Write(path, [.. content.Tensors.Where(keep)], metadata);
            }

            Rewrite(kv => kv.Key != "optimizer/lstm/kernel/velocity");
            Assert.That(() => model.LoadWeights(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("no 'velocity' slot ('optimizer/lstm/kernel/velocity')"));
            Rewrite(_ => true, m => m["optimizer.iterations"] = "-3");
            Assert.That(() => model.LoadWeights(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("'optimizer.iterations' is '-3'"));
            Rewrite(_ => true, m => m.Remove("optimizer"));
            Assert.That(() => model.LoadWeights(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("no 'optimizer' entry"));
            SafeTensorsFile.Write(path, [.. content.Tensors.Select(kv => kv.Key == "optimizer/dense/bias/momentum" ? new KeyValuePair<string, Tensor>("optimizer/gru/bias/momentum", kv.Value) : kv)], content.Metadata);
            Assert.That(() => model.LoadWeights(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("a weight the model does not have ('gru/bias')"));
            Assert.That(() => NewModel(new Adam(), 1).SaveWeights(path, includeOptimizer: true), Throws.Nothing, "a compiled model that never trained saves an empty state");
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Fit_from_an_initial_epoch_numbers_its_epochs_as_the_interrupted_run()
    {
        var model = NewModel(new Adam(0.01), seed: 1);
        var epochs = new List<int>();
        var history = model.Fit(X, Y, epochs: 5, batchSize: 8, verbose: 0, initialEpoch: 3,
            callbacks: [new LambdaCallback(onEpochBegin: (epoch, _) => epochs.Add(epoch))]);
        Assert.That(epochs, Is.EqualTo(new[] { 3, 4 }));
        Assert.That(history.Epochs, Is.EqualTo(2));
        Assert.That(model.Fit(X, Y, epochs: 2, verbose: 0, initialEpoch: 2).Epochs, Is.Zero, "nothing left to train, as in Keras");
        Assert.That(() => model.Fit(X, Y, initialEpoch: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("initial epoch"));
    }

    [Test]
    public void A_layer_named_optimizer_is_a_weight_not_optimizer_state()
    {
        Sequential Make(int seed)
        {
            var model = new Sequential(new Lstm(4, inputShape: [5, 3], name: "optimizer"), new Dense(3, ActivationKind.Softmax));
            model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(), device: Device.Cpu, seed: seed);
            return model;
        }
        var trained = Make(1);
        trained.Fit(X, Y, epochs: 1, batchSize: 12, verbose: 0);
        string path = TempFile();
        try
        {
            foreach (bool withState in new[] { false, true })
            {
                trained.SaveWeights(path, includeOptimizer: withState);
                var loaded = Make(2);
                loaded.LoadWeights(path);
                Assert.That(loaded.GetWeights().Select(w => w.Data), Is.EqualTo(trained.GetWeights().Select(w => w.Data)));
                Assert.That(loaded.Optimizer!.Iterations, Is.EqualTo(withState ? 2 : 0));
            }
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void One_optimizer_cannot_serve_two_models()
    {
        var adam = new Adam(0.01);
        using var first = NewModel(adam, seed: 1);
        var second = new Sequential([new Lstm(6, inputShape: [5, 3]), new Dense(3, ActivationKind.Softmax)], name: "second");
        Assert.That(() => second.Compile(adam, new SparseCategoricalCrossentropy(), device: Device.Cpu),
            Throws.ArgumentException.With.Message.Contains("already used by model 'sequential'").And.Message.Contains("an optimizer of its own"));
        Assert.That(() => first.Compile(adam, new SparseCategoricalCrossentropy()), Throws.Nothing, "compiling the same model again is fine");
        first.Compile(new Sgd(), new SparseCategoricalCrossentropy());
        Assert.That(() => second.Compile(adam, new SparseCategoricalCrossentropy(), device: Device.Cpu), Throws.Nothing, "once the first model let go of it");
    }
}
