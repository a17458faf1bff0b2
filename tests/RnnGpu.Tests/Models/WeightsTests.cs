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

    [Test]
    public void SetWeights_keeps_the_optimizers_state_as_Keras_does()
    {
        var random = new Random(2);
        var x = Support.TestData.Uniform(random, 1, 8, 6, 3);
        var y = Support.TestData.OneHot([0, 1, 1, 0, 1, 0, 0, 1], 2, 8);
        var (a, b) = (NewModel(1), NewModel(1));
        a.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0);
        b.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0);

        b.SetWeights(b.GetWeights()); // same values: Adam's moments and step count must survive
        a.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
        b.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);

        Assert.That(b.GetWeights().Select(t => t.Data), Is.EqualTo(a.GetWeights().Select(t => t.Data)));
    }

    [Test]
    public void SetWeights_with_a_null_tensor_names_the_weight()
    {
        var model = NewModel(1);
        var weights = model.GetWeights().ToList();
        weights[2] = null!;
        var e = Assert.Throws<ArgumentException>(() => model.SetWeights(weights));
        Assert.That(e!.Message, Does.Contain("Weight 2 'lstm/bias' is null"));
    }

    [Test]
    public void A_layer_used_directly_and_inside_TimeDistributed_has_its_weights_once_as_in_Keras()
    {
        var input = new Input([4, 3]);
        var head = new Dense(2);
        var perStep = new TimeDistributed(head).Call(new Lstm(3, returnSequences: true).Call(input));
        var last = head.Call(new Lstm(3).Call(input));
        var model = new Model([input], [perStep, last]);
        model.Build(Device.Cpu, seed: 1);

        Assert.That(model.Weights.Select(w => w.Path), Is.EqualTo(new[]
        {
            "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias", "dense/kernel", "dense/bias",
        }).Or.EqualTo(new[]
        {
            "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias", "time_distributed/kernel", "time_distributed/bias", "lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias",
        }));
        const long lstm = 4 * (3 * (3 + 3) + 3), dense = 3 * 2 + 2;
        Assert.That(model.ParameterCount, Is.EqualTo(2 * lstm + dense));
        Assert.That(model.SummaryText(), Does.Contain($"Total params: {2 * lstm + dense}"));
        Assert.That(model.GetWeights(), Has.Count.EqualTo(8));
    }

    [Test]
    public void A_wrapped_layer_called_in_the_functional_api_is_named_after_its_wrapper()
    {
        var input = new Input([4, 3]);
        var wrapper = new TimeDistributed(new Dense(2));
        _ = new Model([input], [wrapper.Call(input)]);
        Assert.That(wrapper.Layer.Name, Is.EqualTo("time_distributed_inner"));
    }

    [Test]
    public void Saving_a_model_whose_layers_are_not_built_yet_is_an_error_not_an_empty_file()
    {
        var model = new Sequential(new Lstm(8), new Dense(10));
        model.Compile("adam", "mse", device: Device.Cpu);
        string path = Path.Combine(Path.GetTempPath(), $"unbuilt-{Guid.NewGuid():N}.safetensors");
        var e = Assert.Throws<InvalidOperationException>(() => model.SaveWeights(path));
        Assert.That(e!.Message, Does.Contain("input shape is unknown").And.Contain("inputShape"));
        Assert.That(File.Exists(path), Is.False);
        Assert.That(() => model.GetWeights(), Throws.InvalidOperationException.With.Message.Contains("input shape is unknown"));
    }

    [Test]
    public void Saving_into_a_missing_folder_names_the_path_given()
    {
        var model = new Sequential(new Dense(2, inputShape: [3]));
        model.Build(Device.Cpu, seed: 1);
        string path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "w.safetensors");
        var e = Assert.Throws<DirectoryNotFoundException>(() => model.SaveWeights(path));
        Assert.That(e!.Message, Does.Contain(path).And.Not.Contain(".tmp"));
    }
}
