using RnnGpu.IO;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;
using RnnGpu.Training;

namespace RnnGpu.Tests.Training;

/// <summary><see cref="ModelCheckpoint"/>: Keras's file-path fields, save-best-only and batch frequency, and resumable files.</summary>
public class ModelCheckpointTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("rnngpu-checkpoint-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private static readonly Tensor X = TestData.Uniform(new Random(7), 1, 12, 4, 2);
    private static readonly Tensor Y = TestData.Labels([.. Enumerable.Range(0, 12).Select(i => i % 2)], 12);

    private static Sequential NewModel(int seed = 1)
    {
        var model = new Sequential(new Gru(4, inputShape: [4, 2]), new Dense(2, ActivationKind.Softmax));
        model.Compile(new Adam(0.05), new SparseCategoricalCrossentropy(), ["accuracy"], device: Device.Cpu, seed: seed);
        model.Output = TextWriter.Null;
        return model;
    }

    [Test]
    public void The_path_is_filled_as_python_formats_it()
    {
        var logs = new Dictionary<string, double> { ["loss"] = 0.123456, ["val_loss"] = 0.00042, ["accuracy"] = 0.75 };
        string Format(string template, int epoch = 3, int? batch = null) => new CheckpointPathTemplate(template).Format(epoch, batch, logs);

        Assert.That(Format("w{epoch:02d}-{loss:.4f}.safetensors"), Is.EqualTo("w03-0.1235.safetensors"));
        Assert.That(Format("{epoch}_{val_loss:.2e}_{accuracy}"), Is.EqualTo("3_4.20e-04_0.75"));
        Assert.That(Format("{epoch:4d}|{epoch:04d}|{loss:08.3f}|{loss:.0f}"), Is.EqualTo("   3|0003|0000.123|0"));
        Assert.That(Format("e{epoch}b{batch:03d}", batch: 7), Is.EqualTo("e3b007"));
        Assert.That(Format("{{epoch}}-{epoch}"), Is.EqualTo("{epoch}-3"));
        Assert.That(new CheckpointPathTemplate("plain.safetensors").HasFields, Is.False);

        Assert.That(() => Format("{val_acc}"), Throws.InvalidOperationException.With.Message.Contains("names '{val_acc}'").And.Message.Contains("epoch, loss, val_loss, accuracy"));
        Assert.That(() => Format("{batch}"), Throws.InvalidOperationException.With.Message.Contains("names '{batch}'"));
        Assert.That(() => Format("{loss:d}"), Throws.InvalidOperationException.With.Message.Contains("as an integer"));
        Assert.That(() => new CheckpointPathTemplate("{epoch:x}"), Throws.ArgumentException.With.Message.Contains("format 'x'"));
        Assert.That(() => new CheckpointPathTemplate("{epoch"), Throws.ArgumentException.With.Message.Contains("without its '}'"));
        Assert.That(() => new CheckpointPathTemplate("a}"), Throws.ArgumentException.With.Message.Contains("without its '{'"));
        Assert.That(() => new CheckpointPathTemplate("{epoch:.2d}"), Throws.ArgumentException.With.Message.Contains("no precision"));
    }

    [Test]
    public void Every_epoch_gets_its_file_and_a_file_resumes_training()
    {
        var model = NewModel();
        var checkpoint = new ModelCheckpoint(Path.Combine(_directory, "sub", "epoch{epoch:02d}-{loss:.3f}.safetensors"));
        var history = model.Fit(X, Y, epochs: 3, batchSize: 4, shuffle: false, verbose: 0, callbacks: [checkpoint]);

        var files = Directory.GetFiles(Path.Combine(_directory, "sub")).Select(Path.GetFileName).Order().ToList();
        Assert.That(files, Is.EqualTo(Enumerable.Range(0, 3).Select(e => $"epoch{e + 1:00}-{history["loss"][e].ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}.safetensors")));
        Assert.That(checkpoint.LastSavedPath, Does.EndWith(files[^1]!));
        Assert.That(SafeTensorsFile.Read(checkpoint.LastSavedPath!).Metadata["optimizer.iterations"], Is.EqualTo("9"), "the optimizer's state by default");

        // Resume from the second epoch's file and train the third again: the same weights as the third epoch's file.
        var resumed = NewModel(seed: 9);
        resumed.LoadWeights(Path.Combine(_directory, "sub", files[1]!));
        resumed.Fit(X, Y, epochs: 3, batchSize: 4, shuffle: false, verbose: 0, initialEpoch: 2);
        Assert.That(resumed.GetWeights().Select(w => w.Data), Is.EqualTo(model.GetWeights().Select(w => w.Data)));
    }

    [Test]
    public void Save_best_only_keeps_the_best_epoch_and_writes_weights_only_when_asked()
    {
        var model = NewModel();
        string path = Path.Combine(_directory, "best.safetensors");
        var weightsAfter = new List<IReadOnlyList<Tensor>>();
        var record = new LambdaCallback(onEpochEnd: (_, _, context) => weightsAfter.Add(context.Model.GetWeights()));
        // Watching the loss upwards keeps the worst epoch: a decreasing training loss then saves only the first.
        var checkpoint = new ModelCheckpoint(path, monitor: "loss", mode: MonitorMode.Max, saveBestOnly: true, saveWeightsOnly: true);
        var history = model.Fit(X, Y, epochs: 4, batchSize: 4, shuffle: false, verbose: 0, callbacks: [record, checkpoint]);

        int best = history["loss"].ToList().IndexOf(history["loss"].Max());
        Assert.That(checkpoint.Best, Is.EqualTo(history["loss"][best]));
        var saved = SafeTensorsFile.Read(path);
        Assert.That(saved.Tensors.Select(kv => kv.Key), Has.None.StartsWith("optimizer/"));
        Assert.That(saved["gru/kernel"].Data, Is.EqualTo(weightsAfter[best][0].Data));
    }

    [Test]
    public void Save_best_only_respects_an_initial_threshold_and_reports_what_it_does()
    {
        var model = NewModel();
        var output = new StringWriter();
        model.Output = output;
        string path = Path.Combine(_directory, "never.safetensors");
        var checkpoint = new ModelCheckpoint(path, monitor: "loss", saveBestOnly: true, initialValueThreshold: 0, verbose: 1);
        model.Fit(X, Y, epochs: 2, batchSize: 4, verbose: 0, callbacks: [checkpoint]);
        Assert.That(File.Exists(path), Is.False, "no loss beats 0");
        Assert.That(output.ToString(), Does.Contain("Epoch 1: loss did not improve from 0.00000").And.Contain("Epoch 2: loss did not improve from 0.00000"));
    }

    [Test]
    public void A_save_frequency_saves_every_n_batches_across_epochs()
    {
        var model = NewModel();
        var saves = new List<string>();
        var checkpoint = new ModelCheckpoint(Path.Combine(_directory, "e{epoch}-b{batch}.safetensors"), saveFrequency: 2);
        var watch = new LambdaCallback(onBatchEnd: (_, _, _) => { if (checkpoint.LastSavedPath is { } p && !saves.Contains(p)) saves.Add(p); });
        model.Fit(X, Y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, callbacks: [checkpoint, watch]);
        // 3 batches an epoch, a save every 2: after batch 2 of epoch 1, then batches 1 and 3 of epoch 2.
        Assert.That(saves.Select(Path.GetFileName), Is.EqualTo(new[] { "e1-b2.safetensors", "e2-b1.safetensors", "e2-b3.safetensors" }));
    }

    [Test]
    public void A_directory_in_place_of_the_file_is_an_error_naming_it()
    {
        var model = NewModel();
        var checkpoint = new ModelCheckpoint(_directory);
        Assert.That(() => model.Fit(X, Y, epochs: 1, verbose: 0, callbacks: [checkpoint]),
            Throws.TypeOf<IOException>().With.Message.Contains($"'{_directory}' is a directory"));
        Assert.That(() => new ModelCheckpoint("x.safetensors", saveFrequency: 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("number of batches"));
    }

    [TestCase(0.125, "{v:.1e}", "1.2e-01", TestName = "e rounds once, half to even as Python does")]
    [TestCase(1.2349999999999999, "{v:.2e}", "1.23e+00", TestName = "e keeps Python's rounding of the binary value")]
    [TestCase(1.0 / 3, "{v:.15e}", "3.333333333333333e-01", TestName = "e with all the digits a double has")]
    [TestCase(12345.678, "{v:.3e}", "1.235e+04", TestName = "e pads the exponent to two digits")]
    [TestCase(1.0, "{v}", "1.0", TestName = "no spec: Python's str of a float keeps a decimal")]
    [TestCase(1e-5, "{v}", "1e-05", TestName = "no spec: small values in Python's exponent form")]
    [TestCase(0.0001, "{v}", "0.0001", TestName = "no spec: 1e-4 still positional")]
    [TestCase(1e16, "{v}", "1e+16", TestName = "no spec: 1e16 in exponent form")]
    [TestCase(1e15, "{v}", "1000000000000000.0", TestName = "no spec: 1e15 positional")]
    [TestCase(123.456, "{v}", "123.456", TestName = "no spec: the shortest digits")]
    [TestCase(-0.0, "{v}", "-0.0", TestName = "no spec: negative zero")]
    [TestCase(double.NaN, "{v:.4f}", "nan", TestName = "NaN as Python writes it")]
    [TestCase(double.NegativeInfinity, "{v:.2e}", "-inf", TestName = "infinity as Python writes it")]
    public void Numbers_are_written_as_python_formats_them(double value, string template, string expected) =>
        Assert.That(new CheckpointPathTemplate(template).Format(1, null, new Dictionary<string, double> { ["v"] = value }), Is.EqualTo(expected));
}
