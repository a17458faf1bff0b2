using RnnGpu.IO;
using RnnGpu.Layers;

namespace RnnGpu.Tests.Models;

/// <summary>GetWeights/SetWeights and safetensors save/load.</summary>
public class WeightsTests
{
    private static Sequential NewModel(int seed)
    {
        var m = new Sequential(new Lstm(8, returnSequences: true, inputShape: [null, 3]), new Gru(5), new Dense(2, ActivationKind.Softmax));
        m.Compile("adam", "categorical_crossentropy", device: Device.Cpu, seed: seed);
        return m;
    }

    private static string TempFile() => Path.Combine(Path.GetTempPath(), $"rnngpu-{Guid.NewGuid():N}.safetensors");

    [Test]
    public void Save_then_load_reproduces_predictions()
    {
        var x = Support.TestData.Uniform(new Random(1), 1, 4, 6, 3);
        var a = NewModel(1);
        var b = NewModel(2);
        Assert.That(b.Predict(x).Data, Is.Not.EqualTo(a.Predict(x).Data));
        string path = TempFile();
        try
        {
            a.SaveWeights(path);
            b.LoadWeights(path);
            Assert.That(b.Predict(x).Data, Is.EqualTo(a.Predict(x).Data));
            Assert.That(SafeTensorsFile.Read(path).Tensors.Select(kv => kv.Key), Does.Contain("lstm/recurrent_kernel"));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void Loading_a_file_with_a_wrong_shape_or_name_leaves_the_model_unchanged()
    {
        var model = NewModel(1);
        var before = model.GetWeights();
        string path = TempFile();
        try
        {
            var other = new Sequential(new Lstm(9, returnSequences: true, inputShape: [null, 3]), new Gru(5), new Dense(2, ActivationKind.Softmax));
            other.Compile("adam", "categorical_crossentropy", device: Device.Cpu, seed: 3);
            other.SaveWeights(path);
            var error = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
            Assert.That(error!.Message, Does.Contain("lstm/kernel").And.Contain("(3, 36)").And.Contain("(3, 32)"));
            Assert.That(model.GetWeights().Select(t => t.Data), Is.EqualTo(before.Select(t => t.Data)));

            SafeTensorsFile.Write(path, [new("dense/kernel", new Tensor(5, 2))]);
            Assert.That(() => model.LoadWeights(path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("no tensor 'lstm/kernel'"));

            File.WriteAllBytes(path, [1, 2, 3]);
            Assert.That(() => model.LoadWeights(path), Throws.InstanceOf<Exception>().With.Message.Contains(path));
            Assert.That(model.GetWeights().Select(t => t.Data), Is.EqualTo(before.Select(t => t.Data)));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void SetWeights_checks_count_and_shapes_before_changing_anything()
    {
        var model = NewModel(1);
        var weights = model.GetWeights().Select(w => w.Clone()).ToList();
        var before = model.GetWeights();
        weights[^1] = new Tensor(3);
        var error = Assert.Throws<ArgumentException>(() => model.SetWeights(weights));
        Assert.That(error!.Message, Does.Contain("dense/bias").And.Contain("(2,)").And.Contain("(3,)"));
        Assert.That(model.GetWeights().Select(t => t.Data), Is.EqualTo(before.Select(t => t.Data)));
        Assert.That(() => model.SetWeights(weights.Take(2).ToList()), Throws.ArgumentException.With.Message.Contains("has 8 weights"));
    }
}
