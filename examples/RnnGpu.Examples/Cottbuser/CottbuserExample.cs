using System.Text;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Training;

namespace RnnGpu.Examples.Cottbuser;

/// <summary>
/// Memorising one sentence: two stacked GRU(50) layers with a per-step softmax learn to predict every next character
/// of the sentence from the ones before it. Every few dozen epochs a stateful batch-1 copy of the network takes over
/// the weights and writes the sentence greedily from its first character, one character per call; training stops
/// when that copy writes the sentence exactly.
/// </summary>
public static class CottbuserExample
{
    /// <summary>The sentence of the tutorial; its first character is the start marker.</summary>
    public const string Sentence = "*Der Cottbuser Postkutscher putzt den Cottbuser Postkutschkasten.";

    /// <summary>Most epochs before giving up.</summary>
    public const int DefaultEpochs = 500;

    /// <summary>Epochs between two attempts of the prediction model.</summary>
    public const int DefaultCheckEvery = 25;

    /// <summary>Adam's learning rate (the unit test shows convergence in about 150 epochs with it).</summary>
    public const double DefaultLearningRate = 0.01;

    /// <summary>Units of each GRU layer.</summary>
    public const int Units = 50;

    /// <summary>Trains on <paramref name="sentence"/> (its first character starts generation); returns the last attempt and the epoch it came at.</summary>
    public static (string Attempt, int Epoch) Run(ExampleOptions options, string sentence, int checkEvery = DefaultCheckEvery, double learningRate = DefaultLearningRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sentence.Length, 2);
        var output = options.Output;
        var vocabulary = sentence.Distinct().Order().ToArray();
        int v = vocabulary.Length, steps = sentence.Length - 1;
        int[] Encode(string s) => [.. s.Select(c => Array.IndexOf(vocabulary, c))];
        var x = OneHot.EncodeSequences([Encode(sentence[..^1])], v);
        var y = OneHot.EncodeSequences([Encode(sentence[1..])], v);
        output.WriteLine($"Sentence: {sentence}");
        output.WriteLine($"{v} distinct characters: {new string(vocabulary)}");
        output.WriteLine($"x shape: [{string.Join(", ", x.Shape)}] (one-hot characters 0..{steps - 1}), y shape: [{string.Join(", ", y.Shape)}] (characters 1..{steps})");

        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        using var model = Network(v, stateful: false);
        model.Output = output;
        model.UseBackend(backend, options.Seed);
        model.Compile(new Adam(learningRate), new CategoricalCrossentropy(), ["accuracy"]);
        model.Summary();

        using var predictor = Network(v, stateful: true);
        predictor.Output = output;
        predictor.UseBackend(backend, options.Seed);
        predictor.Summary();

        string attempt = "";
        int attemptEpoch = 0;
        var check = new LambdaCallback(onEpochEnd: (epoch, _, context) =>
        {
            if ((epoch + 1) % checkEvery != 0 && epoch + 1 != options.Epochs) return;
            predictor.SetWeights(model.GetWeights());
            attempt = Generate(predictor, vocabulary, sentence[0], sentence.Length);
            attemptEpoch = epoch + 1;
            bool exact = attempt == sentence;
            output.WriteLine($"After epoch {epoch + 1}, the prediction model writes: {attempt}{(exact ? "   <- exact" : "")}");
            if (exact) context.StopTraining = true;
        });
        var history = model.Fit(x, y, options.Epochs, batchSize: 1, callbacks: [check]);

        output.WriteLine(attempt == sentence
            ? $"The sentence came back exactly after {attemptEpoch} epochs."
            : $"Not exact after {attemptEpoch} epochs; try more --epochs.");
        foreach (string path in Plots.SaveTrainingCurves(history, options.EnsureOutDir(), title: "Cottbuser Postkutscher"))
            output.WriteLine($"Wrote {path}");
        return (attempt, attemptEpoch);
    }

    /// <summary>The network; the stateful variant takes one sample of one step at a time and keeps its state between calls.</summary>
    private static Sequential Network(int v, bool stateful) => new(
        new Gru(Units, returnSequences: true, stateful: stateful, inputShape: [null, v], batchSize: stateful ? 1 : null),
        new Gru(Units, returnSequences: true, stateful: stateful),
        new TimeDistributed(new Dense(v, ActivationKind.Softmax)));

    /// <summary>Greedy generation: feed a character, take the most likely next one, feed it back.</summary>
    private static string Generate(Model predictor, char[] vocabulary, char first, int length)
    {
        predictor.ResetStates();
        var text = new StringBuilder().Append(first);
        while (text.Length < length)
        {
            var step = OneHot.EncodeSequences([[Array.IndexOf(vocabulary, text[^1])]], vocabulary.Length);
            text.Append(vocabulary[predictor.PredictClasses(step, batchSize: 1)[0]]);
        }
        return text.ToString();
    }
}
