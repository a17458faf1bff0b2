using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;
using RnnGpu.Training;

namespace RnnGpu.Tests.Models;

/// <summary>Bad input gives an exception naming the layer or argument with the expected and actual values.</summary>
public class BadInputTests
{
    private static Sequential Classifier()
    {
        var model = new Sequential(new Lstm(4, inputShape: [5, 3]), new Dense(3, ActivationKind.Softmax));
        model.Compile(new Adam(), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"], Device.Cpu, seed: 1);
        return model;
    }

    private static readonly Random Random = new(1);

    [Test]
    public void Wrong_input_rank_names_the_layer_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Classifier().Fit(new Tensor(8, 15), TestData.Labels(new int[8], 8), verbose: 0));
        Assert.That(e!.Message, Does.Contain("layer 'lstm' (LSTM)").And.Contain("(None, 5, 3)").And.Contain("(8, 15)"));
    }

    [Test]
    public void Wrong_feature_size_names_the_layer_and_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Classifier().Predict(new Tensor(2, 5, 4)));
        Assert.That(e!.Message, Does.Contain("'lstm'").And.Contain("(None, 5, 3)").And.Contain("(2, 5, 4)"));
    }

    [Test]
    public void Label_out_of_range_names_the_loss_the_label_and_the_range()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Classifier().Fit(TestData.Uniform(Random, 1, 4, 5, 3), TestData.Labels([0, 1, 3, 2], 4), verbose: 0));
        Assert.That(e!.Message, Does.Contain("sparse_categorical_crossentropy").And.Contain("label 2 is 3").And.Contain("[0, 3)"));
    }

    [Test]
    public void Mismatched_sample_counts()
    {
        var e = Assert.Throws<ArgumentException>(() => Classifier().Fit(TestData.Uniform(Random, 1, 4, 5, 3), TestData.Labels([0, 1, 2], 3), verbose: 0));
        Assert.That(e!.Message, Does.Contain("x has 4 samples but y has 3"));
    }

    [Test]
    public void Batch_size_zero()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Classifier().Fit(TestData.Uniform(Random, 1, 4, 5, 3), TestData.Labels([0, 1, 2, 0], 4), batchSize: 0, verbose: 0));
        Assert.That(e!.ParamName, Is.EqualTo("batchSize"));
        Assert.That(e.Message, Does.Contain("Batch size must be >= 1").And.Contain("0"));
    }

    [Test]
    public void NaN_in_the_inputs_gives_its_position()
    {
        var x = TestData.Uniform(Random, 1, 4, 5, 3);
        x[2, 1, 0] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => Classifier().Fit(x, TestData.Labels([0, 1, 2, 0], 4), verbose: 0));
        Assert.That(e!.Message, Does.Contain("NaN").And.Contain("position 33").And.Contain("'lstm'"));
    }

    [Test]
    public void One_hot_targets_of_the_wrong_shape()
    {
        var model = new Sequential(new Lstm(4, inputShape: [5, 3]), new Dense(3, ActivationKind.Softmax));
        model.Compile("adam", "categorical_crossentropy", device: Device.Cpu, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TestData.Uniform(Random, 1, 4, 5, 3), new Tensor(4, 4), verbose: 0));
        Assert.That(e!.Message, Does.Contain("categorical_crossentropy").And.Contain("(4, 3)").And.Contain("(4, 4)"));
    }

    [Test]
    public void Embedding_index_out_of_range_names_the_layer()
    {
        var model = new Sequential(new Embedding(10, 4, inputShape: [3]), new Lstm(2), new Dense(1, ActivationKind.Sigmoid));
        model.Compile("adam", "binary_crossentropy", device: Device.Cpu, seed: 1);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(new Tensor([1, 2, 12], 1, 3)));
        Assert.That(e!.Message, Does.Contain("'embedding' (Embedding)").And.Contain("[0, 10)").And.Contain("12"));
    }

    [Test]
    public void Diverging_loss_stops_training_and_keeps_the_last_good_weights()
    {
        var model = new Sequential(new SimpleRnn(3, inputShape: [4, 2]), new Dense(2));
        model.Compile(new Sgd(0.1), new RnnGpu.Losses.MeanSquaredError(), device: Device.Cpu, seed: 1);
        var weights = model.GetWeights().Select(w => w.Clone()).ToList();
        weights[^2].Data.AsSpan().Fill(3e38f); // the dense kernel: outputs overflow to infinity
        model.SetWeights(weights);
        var e = Assert.Throws<TrainingDivergedException>(() => model.Fit(TestData.Uniform(Random, 1, 4, 4, 2), TestData.Uniform(Random, 1, 4, 2), verbose: 0));
        Assert.That(e!.Message, Does.Contain("epoch 1, batch 1").And.Contain("learning rate"));
        Assert.That(model.GetWeights()[^2].Data, Is.All.EqualTo(3e38f));
    }

    [Test]
    public void Stateful_layer_with_a_different_batch_size()
    {
        var model = new Sequential(new Gru(3, stateful: true, inputShape: [null, 2], batchSize: 1));
        model.Build(Device.Cpu, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Predict(new Tensor(2, 4, 2), batchSize: 2));
        Assert.That(e!.Message, Does.Contain("'gru'").And.Contain("stateful"));
    }

    [Test]
    public void Sparse_labels_given_one_hot_fail_before_training_with_the_data_shape()
    {
        var model = Classifier();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(TestData.Uniform(Random, 1, 64, 5, 3), new Tensor(64, 3), verbose: 0));
        Assert.That(e!.Message, Does.Contain("1 integer class label per sample").And.Contain("(None, 3)").And.Contain("y of shape (64, 3)")
            .And.Contain("categorical_crossentropy"));
        Assert.That(e.ParamName, Is.EqualTo("y"));
    }

    [Test]
    public void Per_sample_labels_for_a_sequence_output_name_the_labels_needed()
    {
        var model = new Sequential(new Lstm(4, returnSequences: true, inputShape: [null, 3]), new TimeDistributed(new Dense(3, ActivationKind.Softmax)));
        model.Compile("adam", "sparse_categorical_crossentropy", device: Device.Cpu, seed: 1);
        var e = Assert.Throws<ArgumentException>(() => model.Evaluate(TestData.Uniform(Random, 1, 4, 7, 3), TestData.Labels([0, 1, 2, 0], 4)));
        Assert.That(e!.Message, Does.Contain("7 integer class labels per sample").And.Contain("28 in all").And.Contain("y of shape (4,)"));
    }

    [Test]
    public void No_samples_says_so()
    {
        var e = Assert.Throws<ArgumentException>(() => Classifier().Predict(new Tensor(0, 5, 3)));
        Assert.That(e!.Message, Does.Contain("'lstm'").And.Contain("x has no samples").And.Contain("(0, 5, 3)"));
    }

    [Test]
    public void A_shape_error_while_stacking_layers_names_the_layer()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Dense(3, inputShape: [4]), new Lstm(4)));
        Assert.That(e!.Message, Does.StartWith("Layer 'lstm' (LSTM) expects input"));
        var input = new Input([4]);
        var unnamed = Assert.Throws<ArgumentException>(() => new Gru(2).Call(input));
        Assert.That(unnamed!.Message, Does.StartWith("An unnamed GRU layer expects input"));
    }

    [Test]
    public void A_model_with_several_inputs_names_them_when_given_the_wrong_tensors()
    {
        var x = new Input([null, 3]);
        var h0 = new Input([4], name: "h0");
        var c0 = new Input([4], name: "c0");
        var outputs = new Lstm(4).CallWithAllOutputs(x, h0, c0);
        var model = new Model([x, h0, c0], [new Dense(2, ActivationKind.Softmax).Call(outputs[0])]);
        model.Compile("adam", "sparse_categorical_crossentropy", device: Device.Cpu, seed: 1);
        var data = TestData.Uniform(Random, 1, 4, 5, 3);
        var labels = TestData.Labels([0, 1, 1, 0], 4);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(data, labels, verbose: 0));
        Assert.That(e!.Message, Does.Contain("has 3 inputs").And.Contain("h0 (None, 4)").And.Contain("got 1 tensor").And.Contain("Tensor[]"));
        var short_ = Assert.Throws<ArgumentException>(() => model.Evaluate([data, new Tensor(4, 4), new Tensor(3, 4)], labels));
        Assert.That(short_!.Message, Does.Contain("x[0] has 4 samples but x[2] has 3"));
        var rank = Assert.Throws<ArgumentException>(() => model.Fit([data, new Tensor(4, 5), new Tensor(4, 4)], labels, verbose: 0));
        Assert.That(rank!.Message, Does.Contain("x[1]").And.Contain("(None, 4)").And.Contain("(4, 5)"));
        Assert.Throws<NotSupportedException>(() => model.Fit([data, new Tensor(4, 4), new Tensor(4, 4)], labels, verbose: 0, truncatedBpttSteps: 2));
    }

    [Test]
    public void A_disposed_model_refuses_to_run()
    {
        var model = Classifier();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Predict(new Tensor(1, 5, 3)));
        Assert.Throws<ObjectDisposedException>(() => model.GetWeights());
        Assert.Throws<ObjectDisposedException>(() => model.Fit(new Tensor(1, 5, 3), TestData.Labels([0], 1), verbose: 0));
    }

    [Test]
    public void A_stateful_layer_needs_a_fixed_batch_size_and_the_model_then_defaults_to_it()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new Lstm(3, stateful: true, inputShape: [null, 2]), new Dense(1)));
        Assert.That(e!.Message, Does.Contain("Layer 'lstm' (LSTM) is stateful").And.Contain("batchSize: N"));

        var model = new Sequential(new Lstm(3, stateful: true, inputShape: [null, 2], batchSize: 4), new Dense(1));
        model.Compile("adam", "mse", device: Device.Cpu, seed: 1);
        var x = TestData.Uniform(Random, 1, 8, 5, 2);
        Assert.DoesNotThrow(() => model.Fit(x, TestData.Uniform(Random, 1, 8, 1), shuffle: false, verbose: 0), "batches of 4 without being told");
        model.ResetStates();
        Assert.That(model.Predict(x).Shape, Is.EqualTo(new[] { 8, 1 }));
        var wrong = Assert.Throws<ArgumentException>(() => model.Predict(x, batchSize: 8));
        Assert.That(wrong!.Message, Does.Contain("fixed batch size of 4").And.Contain("'lstm' (LSTM) is stateful").And.Contain("got batchSize 8"));

        var twelve = TestData.Uniform(Random, 1, 12, 5, 2);
        var split = Assert.Throws<ArgumentException>(() => model.Fit(twelve, TestData.Uniform(Random, 1, 12, 1), verbose: 0, validationSplit: 0.25));
        Assert.That(split!.ParamName, Is.EqualTo("validationSplit"));
        Assert.That(split.Message, Does.Contain("fixed batch size of 4").And.Contain("leaves 9 for training and 3 for validation"));
    }

    [Test]
    public void Training_before_compile()
    {
        var model = new Sequential(new Lstm(2, inputShape: [3, 1]));
        Assert.That(() => model.Fit(new Tensor(1, 3, 1), new Tensor(1, 2)), Throws.InvalidOperationException.With.Message.Contains("must be compiled"));
    }

    [Test]
    public void A_sequence_without_steps_is_refused_rather_than_read_as_zeros()
    {
        var model = new Sequential(new Lstm(3, inputShape: [null, 2]), new Dense(1));
        model.Compile(new Sgd(0.1), new RnnGpu.Losses.MeanSquaredError(), device: Device.Cpu, seed: 3);
        Assert.That(() => model.Predict(new Tensor(2, 0, 2)), Throws.ArgumentException.With.Message.EqualTo(
            "Input of layer 'lstm' (LSTM): x of shape (2, 0, 2) is empty; a sequence needs at least one step. (Parameter 'x')"));
        Assert.That(() => model.Fit(new Tensor(2, 0, 2), new Tensor(2, 1), verbose: 0), Throws.ArgumentException.With.Message.Contains("needs at least one step"));
    }

    [Test]
    public void Dense_targets_must_have_the_outputs_shape_not_only_its_size()
    {
        var model = new Sequential(new Lstm(3, returnSequences: true, inputShape: [6, 2]), new TimeDistributed(new Dense(2)));
        model.Compile(new Sgd(0.1), new RnnGpu.Losses.MeanSquaredError(), device: Device.Cpu, seed: 3);
        var x = TestData.Uniform(Random, 1, 2, 6, 2);
        Assert.That(() => model.Fit(x, new Tensor(2, 12), verbose: 0, truncatedBpttSteps: 4), Throws.ArgumentException.With.Message.Contains(
            "needs targets shaped like the output, (2, 6, 2) for output (None, 6, 2), got y of shape (2, 12)"));

        var binary = new Sequential(new Lstm(3, inputShape: [6, 2]), new Dense(1, ActivationKind.Sigmoid));
        binary.Compile(new Sgd(0.1), new RnnGpu.Losses.BinaryCrossentropy(), device: Device.Cpu, seed: 3);
        Assert.That(() => binary.Fit(x, new Tensor([1, 0], 2), verbose: 0), Throws.Nothing, "targets [N] for an output [N, 1], as Keras accepts");
    }
}
