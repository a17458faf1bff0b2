using RnnGpu.Backends;
using RnnGpu.Graphs;
using RnnGpu.Layers;

namespace RnnGpu.Tests.Support;

/// <summary>Gradients of a compiled model's loss with respect to its weights, analytic and by finite differences (float64).</summary>
internal static class ModelGradients
{
    /// <summary>One forward/backward pass in training mode (no dropout randomness unless the model has dropout); returns the loss.</summary>
    public static double LossAndGradients(Model model, Tensor x, Tensor y, bool backward = true)
    {
        var backend = model.Backend!;
        foreach (var p in model.Parameters) p.ZeroGrad();
        using var graph = new Graph(backend, training: backward);
        var input = graph.Constant(backend.Upload(x.Data, x.Shape), owned: true);
        var output = model.Forward(graph, [input], new LayerContext { Training = false, Random = new Random(0), HostInputs = LayerContext.HostInputsOf([input], [x]) })[0];
        var targets = graph.Own(model.Loss!.PrepareTargets(backend, y, output.Shape));
        var weights = output.Shape.Length == 3 && output.Mask is { } m ? backend.View(m, [m.Length]) : null;
        double loss = model.Loss.Compute(graph, output, targets, weights);
        if (backward) graph.Backward();
        return loss;
    }

    /// <summary>Checks every weight gradient element (sampled) against central differences; the model must live on <see cref="Device.CpuFloat64"/>.</summary>
    public static void Check(Model model, Tensor x, Tensor y, int maxPerWeight = 25, double epsilon = 1e-5)
    {
        var backend = model.Backend!;
        Assert.That(backend.FloatType, Is.EqualTo(DType.Float64), "Gradient checks run in float64.");
        LossAndGradients(model, x, y);
        // Every later loss evaluation zeroes the gradients, so take all analytic values first.
        var analyticByWeight = model.Weights.Select(w =>
        {
            var g = new double[w.Size];
            backend.Download(w.Parameter.Grad, g);
            return g;
        }).ToList();
        var random = new Random(3);
        var failures = new List<string>();
        double worst = 0;
        foreach (var (weight, analytic) in model.Weights.Zip(analyticByWeight))
        {
            var p = weight.Parameter;
            var values = new double[p.Value.Length];
            backend.Download(p.Value, values);
            var indices = Enumerable.Range(0, values.Length).ToArray();
            random.Shuffle(indices);
            foreach (int i in indices.Take(maxPerWeight))
            {
                double original = values[i];
                values[i] = original + epsilon; Set(backend, p, values);
                double plus = LossAndGradients(model, x, y, backward: false);
                values[i] = original - epsilon; Set(backend, p, values);
                double minus = LossAndGradients(model, x, y, backward: false);
                values[i] = original; Set(backend, p, values);
                double numeric = (plus - minus) / (2 * epsilon);
                double error = Math.Abs(analytic[i] - numeric) / Math.Max(Math.Abs(analytic[i]) + Math.Abs(numeric), 1e-4);
                worst = Math.Max(worst, error);
                if (error > GradientCheck.Tolerance && failures.Count < 10) failures.Add($"{weight.Path}[{i}]: analytic {analytic[i]:G10}, numeric {numeric:G10}");
            }
        }
        Assert.That(failures, Is.Empty, $"Worst relative error {worst:E2}:\n" + string.Join("\n", failures));
    }

    /// <summary>Host copies of every weight gradient after one pass.</summary>
    public static float[][] Gradients(Model model, Tensor x, Tensor y)
    {
        LossAndGradients(model, x, y);
        return [.. model.Weights.Select(w =>
        {
            var g = new float[w.Size];
            model.Backend!.Download(w.Parameter.Grad, g);
            return g;
        })];
    }

    private static void Set(IBackend backend, Parameter p, double[] values)
    {
        using var fresh = backend.Upload(values, p.Shape);
        backend.Copy(fresh, p.Value);
    }
}
