using System.Text;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Training;

namespace RnnGpu.Examples.Names;

/// <summary>
/// Character-level name generator: the names, lower-cased and joined by a separator, are cut into sliding windows of
/// 10 characters; an LSTM(128) learns the character after each window. After every epoch it writes new text from a
/// random seed window at temperatures 0.2, 0.5, 1.0 and 1.2 (low: safe and repetitive, high: inventive and noisy).
/// </summary>
public static class NamesExample
{
    /// <summary>Characters per window.</summary>
    public const int WindowLength = 10;

    /// <summary>Separator between two names in the training text.</summary>
    public const char Separator = '\n';

    /// <summary>Hidden units of the LSTM.</summary>
    public const int Units = 128;

    /// <summary>Default epochs ("iterations" in the tutorial).</summary>
    public const int DefaultEpochs = 20;

    /// <summary>Batch size of the tutorial.</summary>
    public const int DefaultBatchSize = 128;

    /// <summary>RMSprop's learning rate in the tutorial.</summary>
    public const double LearningRate = 0.01;

    /// <summary>Characters generated per temperature.</summary>
    public const int DefaultGenerateLength = 60;

    /// <summary>The sampling temperatures shown after every epoch.</summary>
    public static IReadOnlyList<double> Temperatures { get; } = [0.2, 0.5, 1.0, 1.2];

    /// <summary>Trains on <paramref name="names"/>; returns the text generated after the last epoch at each temperature.</summary>
    public static IReadOnlyList<string> Run(ExampleOptions options, IReadOnlyList<string> names, int generateLength = DefaultGenerateLength)
    {
        var output = options.Output;
        string text = string.Join(Separator, names.Select(n => n.Trim().ToLowerInvariant()).Where(n => n.Length > 0)) + Separator;
        var alphabet = text.Distinct().Order().ToArray();
        var windows = SlidingWindows.CharWindows(text, WindowLength);
        int count = options.Take(windows.Count);
        int[][] Encode(IEnumerable<char[]> w) => [.. w.Select(chars => chars.Select(c => Array.IndexOf(alphabet, c)).ToArray())];
        var x = OneHot.EncodeSequences(Encode(windows.Windows.Take(count)), alphabet.Length);
        var y = new Tensor([.. windows.NextItems.Take(count).Select(c => (float)Array.IndexOf(alphabet, c))], count);
        output.WriteLine($"{names.Count} names, {text.Length} characters of text, {alphabet.Length} distinct characters (separator shown as '/')");
        output.WriteLine($"{windows.Count} windows of {WindowLength} characters; training on {count}");
        output.WriteLine($"x shape: [{string.Join(", ", x.Shape)}] (one-hot), y shape: [{count}] (next character)");

        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        using var model = new Sequential(
            new Lstm(Units, inputShape: [WindowLength, alphabet.Length]),
            new Dense(alphabet.Length, ActivationKind.Softmax)) { Output = output };
        model.UseBackend(backend, options.Seed);
        model.Compile(new RmsProp(LearningRate), new SparseCategoricalCrossentropy(), ["accuracy"]);
        model.Summary();

        var random = new Random(options.Seed);
        var last = new List<string>();
        var generate = new LambdaCallback(onEpochEnd: (epoch, _, _) =>
        {
            int start = random.Next(windows.Count);
            string seed = new(windows.Windows[start]);
            output.WriteLine($"--- Generating after epoch {epoch + 1} from seed \"{Show(seed)}\"");
            last.Clear();
            foreach (double temperature in Temperatures)
            {
                string generated = Generate(model, alphabet, seed, generateLength, temperature, random);
                last.Add(generated);
                output.WriteLine($"temperature {temperature:F1}: {Show(seed)}|{Show(generated)}");
            }
        });
        var history = model.Fit(x, y, options.Epochs, options.BatchSize, callbacks: [generate]);
        foreach (string path in Plots.SaveTrainingCurves(history, options.EnsureOutDir(), title: "Names LSTM"))
            output.WriteLine($"Wrote {path}");
        return last;
    }

    /// <summary>Extends <paramref name="seed"/> one character at a time, sampling each from the model at <paramref name="temperature"/>.</summary>
    private static string Generate(Model model, char[] alphabet, string seed, int length, double temperature, Random random)
    {
        var window = new Queue<int>(seed.Select(c => Array.IndexOf(alphabet, c)));
        var generated = new StringBuilder();
        for (int i = 0; i < length; i++)
        {
            var x = OneHot.EncodeSequences([window.ToArray()], alphabet.Length);
            var probabilities = model.Predict(x, batchSize: 1);
            int next = TemperatureSampling.Sample(probabilities.Data, temperature, random);
            generated.Append(alphabet[next]);
            window.Dequeue();
            window.Enqueue(next);
        }
        return generated.ToString();
    }

    private static string Show(string text) => text.Replace(Separator, '/');
}
