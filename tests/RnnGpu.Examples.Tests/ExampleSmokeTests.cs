using RnnGpu.Examples.Cottbuser;
using RnnGpu.Examples.Devices;
using RnnGpu.Examples.FashionMnist;
using RnnGpu.Examples.MnistCustomCell;
using RnnGpu.Examples.Names;
using RnnGpu.Examples.Reuters;
using RnnGpu.Examples.RnnShapes;
using RnnGpu.Examples.Words;

namespace RnnGpu.Examples.Tests;

/// <summary>Every example runs end to end for a few steps on small generated data, prints what it should and writes its plots.</summary>
public class ExampleSmokeTests
{
    private static readonly string[] Digits = [.. Enumerable.Range(0, 10).Select(d => d.ToString())];

    [Test]
    public void Fashion_mnist_trains_prints_test_accuracy_and_plots_the_confusion_matrix()
    {
        using var run = new ExampleRun(epochs: 1, batchSize: 32);
        double accuracy = FashionMnistExample.Run(run.Options, SyntheticData.Images(160, 40, Datasets.FashionMnist.ClassNames));
        Assert.That(accuracy, Is.InRange(0.0, 1.0));
        run.AssertPrinted("x_train shape: [160, 28, 28]", "x_test shape:  [40, 28, 28]", "lstm (LSTM)", "7,390", "Epoch 1/1",
            "val_accuracy", "Test accuracy:", "Confusion matrix", "Ankle boot", "fashion_mnist_lstm.safetensors (the best epoch's weights");
        run.AssertPngs("loss.png", "accuracy.png", "confusion_matrix.png");
        Assert.That(Directory.GetFiles(run.Options.OutDir, "*.safetensors").Select(Path.GetFileName), Is.EqualTo(new[] { "fashion_mnist_lstm.safetensors" }));
    }

    [Test]
    public void Fashion_mnist_limit_cuts_training_and_test_sets()
    {
        using var run = new ExampleRun(epochs: 0, batchSize: 32, limit: 20);
        FashionMnistExample.Run(run.Options, SyntheticData.Images(60, 30, Datasets.FashionMnist.ClassNames, size: 28));
        run.AssertPrinted("x_train shape: [20, 28, 28]", "x_test shape:  [20, 28, 28]");
    }

    [Test]
    public void Cottbuser_replays_a_short_sentence_with_the_stateful_model()
    {
        using var run = new ExampleRun(epochs: 60, batchSize: 1);
        var (attempt, epoch) = CottbuserExample.Run(run.Options, "*abcabd.", checkEvery: 20, learningRate: 0.02);
        Assert.That(attempt, Has.Length.EqualTo(8).And.StartsWith("*"));
        Assert.That(epoch, Is.GreaterThan(0));
        run.AssertPrinted("x shape: [1, 7, 6]", "gru (GRU)", "(1, None, 50)", "After epoch 20, the prediction model writes: *");
        run.AssertPngs("loss.png", "accuracy.png");
    }

    [Test]
    public void Rnn_shapes_prints_keras_parameter_counts_and_matches_the_hand_computed_forward_pass()
    {
        using var run = new ExampleRun(epochs: 0, batchSize: 1);
        double worst = RnnShapesExample.Run(run.Options, RnnShapesExample.DefaultInput());
        Assert.That(worst, Is.LessThan(1e-5));
        run.AssertPrinted("SimpleRNN(returnSequences: false)    (None, 3)           15",
            "GRU(returnSequences: false)          (None, 3)           54",
            "LSTM(returnSequences: true)          (None, 4, 3)        60",
            "LSTM(returnSequences: true, returnState: true) → sequence (None, 4, 3), last h (None, 3), last c (None, 3)",
            "W_xh (1, 3), W_hh (3, 3), b (3,)", "Largest difference:");
        run.AssertPngs("simple_rnn_by_hand.png");
    }

    [Test]
    public void Reuters_trains_all_six_models_and_tabulates_them_beside_the_tutorial()
    {
        using var run = new ExampleRun(epochs: 1, batchSize: 16);
        var results = ReutersExample.Run(run.Options, SyntheticData.Newswires(48, 16), ReutersModelKind.All);
        Assert.That(results, Has.Count.EqualTo(6));
        run.AssertPrinted("x_train (one index per step): [48, 50, 1]", "Vanilla RNN", "Stacked LSTM", "Embedding(maskZero) + LSTM", "Bidirectional(LSTM)",
            "0.756", "0.738", "0.846", "0.850", "Test accuracy");
        run.AssertPngs("rnn_loss.png", "stacked-rnn_accuracy.png", "lstm_confusion_matrix.png", "stacked-lstm_loss.png", "embedding-lstm_confusion_matrix.png", "embedding-bilstm_accuracy.png");
    }

    [Test]
    public void Reuters_model_list_parses_keys_and_rejects_unknown_ones()
    {
        Assert.That(ReutersModelKind.ParseList("lstm, embedding-lstm").Select(m => m.Key), Is.EqualTo(new[] { "lstm", "embedding-lstm" }));
        Assert.That(ReutersModelKind.ParseList("all"), Has.Count.EqualTo(6));
        Assert.That(() => ReutersModelKind.ParseList("gru"), Throws.ArgumentException.With.Message.Contains("stacked-lstm"));
    }

    [Test]
    public void Names_generates_at_every_temperature_after_each_epoch()
    {
        using var run = new ExampleRun(epochs: 2, batchSize: 64, limit: 256);
        var generated = NamesExample.Run(run.Options, SyntheticData.Names(80), generateLength: 12);
        Assert.That(generated, Has.Count.EqualTo(4).And.All.Length.EqualTo(12));
        run.AssertPrinted("windows of 10 characters; training on 256", "--- Generating after epoch 1", "--- Generating after epoch 2",
            "temperature 0.2: ", "temperature 0.5: ", "temperature 1.0: ", "temperature 1.2: ");
        run.AssertPngs("loss.png", "accuracy.png");
    }

    [Test]
    public void Words_reports_every_n_iterations_and_names_unknown_prompt_words()
    {
        using var run = new ExampleRun(epochs: 1, batchSize: 16, limit: 96);
        var settings = new WordsSettings { Units1 = 16, Units2 = 8, EmbeddingWidth = 8, VocabularySize = 15, PrintEvery = 2, Prompt = "the nation will zyzzyva", GenerateWords = 5 };
        string continuation = WordsExample.Run(run.Options, SyntheticData.Speeches(3, 20), settings);
        Assert.That(continuation.Split(' '), Has.Length.EqualTo(5));
        run.AssertPrinted("vocabulary of 15", "x shape: [96, 7]", "iteration 2: average loss", "iteration 6: average loss", "→",
            "Not in the 15-word vocabulary, read as <unk>: ", "zyzzyva", "padded on the left", "the nation will zyzzyva …");
        run.AssertPngs("loss.png", "accuracy.png", "iterations.png");
    }

    [Test]
    public void Words_prompt_without_words_gets_a_message()
    {
        var output = new StringWriter();
        using var model = new Sequential(new Layers.Embedding(4, 2, inputShape: [7]), new Layers.Lstm(2), new Layers.Dense(4, ActivationKind.Softmax));
        model.Build(Device.Cpu, seed: 1);
        var vocabulary = Datasets.Vocabulary<string>.Build(["a", "b", "c"], WordCorpus.Unknown);
        string text = new WordContinuation(model, vocabulary, 7).Continue("  ...  ", 3, 0.5, new Random(1), output);
        Assert.That(output.ToString(), Does.Contain("Not in the 4-word vocabulary").Or.Contain("no words"));
        Assert.That(text.Split(' ', StringSplitOptions.RemoveEmptyEntries), Has.Length.LessThanOrEqualTo(3));
    }

    [Test]
    public void Mnist_custom_cell_trains_the_user_cell_and_the_built_in_lstm()
    {
        using var run = new ExampleRun(epochs: 1, batchSize: 20);
        var (custom, builtIn) = MnistCustomCellExample.Run(run.Options, SyntheticData.Images(60, 20, Digits, size: 12));
        Assert.That(custom, Is.InRange(0.0, 1.0));
        Assert.That(builtIn, Is.InRange(0.0, 1.0));
        run.AssertPrinted("User-written LSTM cell (128 units) in Rnn", "Built-in Lstm (128 units)", "Test accuracy: custom cell");
        run.AssertPngs("custom_cell_loss.png", "custom_cell_confusion_matrix.png", "builtin_lstm_accuracy.png", "builtin_lstm_confusion_matrix.png");
    }

    [Test]
    public void Devices_names_the_cpu_backend_and_says_whether_a_gpu_is_usable()
    {
        using var run = new ExampleRun(epochs: 0, batchSize: 1);
        bool gpu = DevicesExample.Run(run.Options);
        run.AssertPrinted("CPU backend: CPU", "--device auto picks: ");
        run.AssertPrinted(gpu ? "GPU backend: " : "GPU: not usable.");
    }
}
