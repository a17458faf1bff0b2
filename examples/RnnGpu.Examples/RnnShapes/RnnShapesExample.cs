using RnnGpu.Examples.Shared;
using RnnGpu.Layers;

namespace RnnGpu.Examples.RnnShapes;

/// <summary>
/// What the recurrent layers return: output shapes of SimpleRNN, GRU and LSTM with and without
/// <c>returnSequences</c>, the extra state outputs of <c>returnState</c> through the functional API, Keras parameter
/// counts, and a SimpleRNN forward pass recomputed by hand from <c>GetWeights()</c> next to the layer's own output.
/// </summary>
public static class RnnShapesExample
{
    /// <summary>Hidden units of every layer shown (small, so the numbers fit on a line).</summary>
    public const int Units = 3;

    /// <summary>The default input: one sequence of 4 steps with 1 feature.</summary>
    public static Tensor DefaultInput() => new([0.1f, 0.2f, 0.3f, 0.4f], 1, 4, 1);

    /// <summary>Runs on <paramref name="x"/> <c>[N, T, F]</c>; returns the largest difference between the hand-computed and the layer's SimpleRNN outputs.</summary>
    public static double Run(ExampleOptions options, Tensor x)
    {
        if (x.Rank != 3) throw new ArgumentException($"Expected [samples, timesteps, features], got [{string.Join(", ", x.Shape)}].", nameof(x));
        var output = options.Output;
        int steps = x.Shape[1], features = x.Shape[2];
        using var backend = options.CreateBackend();
        output.WriteLine($"Device: {backend.Name}");
        output.WriteLine($"Input x: [{string.Join(", ", x.Shape)}] (samples, timesteps, features)");
        output.WriteLine();

        output.WriteLine("Output shapes and parameter counts (Sequential API):");
        output.WriteLine($"{"layer",-36} {"output shape",-14} {"params",7}   formula");
        foreach (bool sequences in new[] { false, true })
            foreach (var (name, make, formula) in Layers(features))
            {
                using var model = new Sequential(make(sequences, false));
                model.UseBackend(backend, options.Seed);
                var y = model.Predict(x);
                output.WriteLine($"{$"{name}(returnSequences: {sequences.ToString().ToLowerInvariant()})",-36} {Shape(y),-14} {model.ParameterCount,7}   {formula}");
            }
        output.WriteLine();

        output.WriteLine("returnState through the functional API (Input → layer.CallWithAllOutputs):");
        foreach (var (name, make, _) in Layers(features))
        {
            var input = new Input([steps, features]);
            var outputs = make(true, true).CallWithAllOutputs(input);
            using var model = new Model([input], outputs);
            model.UseBackend(backend, options.Seed);
            var values = model.PredictAll(x);
            string[] labels = values.Length == 3 ? ["sequence", "last h", "last c"] : ["sequence", "last h"];
            output.WriteLine($"  {name}(returnSequences: true, returnState: true) → " +
                string.Join(", ", values.Select((v, i) => $"{labels[i]} {Shape(v)}")));
        }
        output.WriteLine();
        return SimpleRnnByHand(options, backend, x);
    }

    private static double SimpleRnnByHand(ExampleOptions options, Backends.IBackend backend, Tensor x)
    {
        var output = options.Output;
        int steps = x.Shape[1], features = x.Shape[2];
        using var model = new Sequential(new SimpleRnn(Units, returnSequences: true, inputShape: [steps, features]));
        model.UseBackend(backend, options.Seed);
        var layerOutput = model.Predict(x);
        var weights = model.GetWeights();
        Tensor kernel = weights[0], recurrent = weights[1], bias = weights[2];
        output.WriteLine("SimpleRNN forward by hand: h_t = tanh(x_t·W_xh + h_(t-1)·W_hh + b), h_0 = 0");
        output.WriteLine($"  W_xh ({string.Join(", ", kernel.Shape)}), W_hh ({string.Join(", ", recurrent.Shape)}), b ({bias.Shape[0]},) from GetWeights()");

        double worst = 0;
        var byHandSeries = new List<double>[Units];
        var layerSeries = new List<double>[Units];
        for (int u = 0; u < Units; u++) { byHandSeries[u] = []; layerSeries[u] = []; }
        for (int n = 0; n < x.Shape[0]; n++)
        {
            var h = new double[Units];
            for (int t = 0; t < steps; t++)
            {
                var next = new double[Units];
                for (int j = 0; j < Units; j++)
                {
                    double sum = bias.Data[j];
                    for (int i = 0; i < features; i++) sum += x[n, t, i] * kernel[i, j];
                    for (int i = 0; i < Units; i++) sum += h[i] * recurrent[i, j];
                    next[j] = Math.Tanh(sum);
                }
                h = next;
                var fromLayer = Enumerable.Range(0, Units).Select(j => (double)layerOutput[n, t, j]).ToArray();
                worst = Math.Max(worst, h.Zip(fromLayer, (a, b) => Math.Abs(a - b)).Max());
                if (n == 0)
                    for (int j = 0; j < Units; j++) { byHandSeries[j].Add(h[j]); layerSeries[j].Add(fromLayer[j]); }
                output.WriteLine($"  sample {n} t={t}: by hand [{Format(h)}]   layer [{Format(fromLayer)}]");
            }
        }
        output.WriteLine($"Largest difference: {worst:E2}");

        var series = Enumerable.Range(0, Units).SelectMany(j => new[]
        {
            ($"unit {j} (layer)", (IReadOnlyList<double>)layerSeries[j]),
            ($"unit {j} (by hand)", byHandSeries[j]),
        }).ToArray();
        string path = Plots.SaveLines(Path.Combine(options.EnsureOutDir(), "simple_rnn_by_hand.png"),
            "SimpleRNN hidden state of sample 0: layer vs by hand", "timestep", "h", series);
        output.WriteLine($"Wrote {path}");
        return worst;
    }

    /// <summary>The three layer kinds with Keras's parameter formula for <paramref name="features"/> inputs.</summary>
    private static (string Name, Func<bool, bool, Layer> Make, string Formula)[] Layers(int features) =>
    [
        ("SimpleRNN", (seq, state) => new SimpleRnn(Units, returnSequences: seq, returnState: state, inputShape: [null, features]),
            $"units·(features + units + 1) = {Units}·({features} + {Units} + 1)"),
        ("GRU", (seq, state) => new Gru(Units, returnSequences: seq, returnState: state, inputShape: [null, features]),
            $"3·units·(features + units + 2) = 3·{Units}·({features} + {Units} + 2)  (resetAfter: two biases)"),
        ("LSTM", (seq, state) => new Lstm(Units, returnSequences: seq, returnState: state, inputShape: [null, features]),
            $"4·units·(features + units + 1) = 4·{Units}·({features} + {Units} + 1)"),
    ];

    private static string Shape(Tensor t) => $"({string.Join(", ", new[] { "None" }.Concat(t.Shape[1..].Select(d => d.ToString())))})";

    private static string Format(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("+0.000000;-0.000000")));
}
