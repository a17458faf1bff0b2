using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Tests.Support;

/// <summary>
/// Compares reverse-mode gradients with central finite differences in float64. The scalar objective is the mean squared
/// error of the op's output against a fixed random target, so every output element gets a different, non-trivial
/// upstream gradient.
/// </summary>
internal static class GradientCheck
{
    /// <summary>Largest relative error accepted: |a - n| / max(|a| + |n|, 1e-4); below 1e-4 that is an absolute error of 1e-10, the limit of finite differences in double.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>A leaf of the checked function: values and shape; gradients are checked for every leaf.</summary>
    public sealed record Leaf(string Name, double[] Values, int[] Shape);

    /// <summary>Random leaf with values in [-scale, scale].</summary>
    public static Leaf Random(string name, Random random, double scale, params int[] shape)
    {
        var v = new double[ShapeUtil.Size(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = (random.NextDouble() * 2 - 1) * scale;
        return new Leaf(name, v, shape);
    }

    /// <summary>
    /// Builds <paramref name="function"/> on leaves held as parameters of a float64 CPU backend, and checks every gradient
    /// element (or a random sample of at most <paramref name="maxPerLeaf"/> per leaf). Returns the worst relative error.
    /// </summary>
    public static double Check(Func<Graph, Node[], Node> function, IReadOnlyList<Leaf> leaves, int seed = 1, int maxPerLeaf = 60, double epsilon = 1e-5)
    {
        using var backend = new CpuBackend<double>(threads: 1);
        var parameters = leaves.Select(l => new Parameter(l.Name, backend.Upload(l.Values, l.Shape))).ToArray();
        var random = new Random(seed);
        double[]? target = null;

        double Loss(bool backward)
        {
            // Always a training graph, so ops with training behaviour (dropout with a seeded mask) compute the same function.
            using var g = new Graph(backend, training: true);
            var output = function(g, [.. parameters.Select(g.Parameter)]);
            if (target is null)
            {
                target = new double[output.Value.Length];
                for (int i = 0; i < target.Length; i++) target[i] = random.NextDouble() * 2 - 1;
            }
            using var t = backend.Upload(target, output.Shape);
            double loss = g.MeanSquaredError(output, t);
            if (backward) g.Backward();
            return loss;
        }

        foreach (var p in parameters) p.ZeroGrad();
        Loss(backward: true);
        var analytic = parameters.Select(p => Download(backend, p.Grad)).ToArray();

        double worst = 0;
        var failures = new List<string>();
        for (int li = 0; li < leaves.Count; li++)
        {
            var values = (double[])leaves[li].Values.Clone();
            var indices = Enumerable.Range(0, values.Length).ToArray();
            if (indices.Length > maxPerLeaf) { random.Shuffle(indices); indices = indices[..maxPerLeaf]; }
            foreach (int i in indices)
            {
                double original = values[i];
                values[i] = original + epsilon;
                Set(backend, parameters[li], values);
                double plus = Loss(false);
                values[i] = original - epsilon;
                Set(backend, parameters[li], values);
                double minus = Loss(false);
                values[i] = original;
                Set(backend, parameters[li], values);
                double numeric = (plus - minus) / (2 * epsilon);
                double a = analytic[li][i];
                double error = Math.Abs(a - numeric) / Math.Max(Math.Abs(a) + Math.Abs(numeric), 1e-4);
                worst = Math.Max(worst, error);
                if (error > Tolerance && failures.Count < 10) failures.Add($"{leaves[li].Name}[{i}]: analytic {a:G10}, numeric {numeric:G10}, rel error {error:E2}");
            }
        }
        Assert.That(failures, Is.Empty, $"Gradient mismatches (worst relative error {worst:E2}):\n" + string.Join("\n", failures));
        foreach (var p in parameters) p.Dispose();
        return worst;
    }

    private static double[] Download(IBackend backend, DeviceTensor t)
    {
        var d = new double[t.Length];
        backend.Download(t, d);
        return d;
    }

    private static void Set(IBackend backend, Parameter p, double[] values)
    {
        using var fresh = backend.Upload(values, p.Shape);
        backend.Copy(fresh, p.Value);
    }
}
