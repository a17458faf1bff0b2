using RnnGpu.Backends;

namespace RnnGpu.Tests.Support;

/// <summary>
/// One recurrent layer call, forward and backward, through any backend, with every optional input in use: a mask
/// (every fifth step masked), initial states, output and final-state gradients, and gradient buffers that start
/// non-zero (so accumulation is checked too). The same seed gives the same inputs on every backend.
/// </summary>
internal static class RecurrentLayerRun
{
    /// <summary>Every output and gradient of the call, by name, as doubles.</summary>
    public static Dictionary<string, double[]> Run(IBackend backend, RecurrentSpec spec, int batch, int steps, int inputs, int units, int seed = 7)
    {
        var rng = new Random(seed);
        double[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        int g = spec.Gates * units, biasLength = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? 2 * g : g;
        var mask = Enumerable.Range(0, batch * steps).Select(k => k % 5 == 3 ? 0.0 : 1.0).ToArray();
        var fwd = new RecurrentForwardArgs
        {
            Input = backend.Upload(Random(batch * steps * inputs), [batch, steps, inputs]),
            Mask = backend.Upload(mask, [batch, steps]),
            InitialH = backend.Upload(Random(batch * units), [batch, units]),
            InitialC = spec.HasCellState ? backend.Upload(Random(batch * units), [batch, units]) : null,
            Kernel = backend.Upload(Random(inputs * g), [inputs, g]),
            RecurrentKernel = backend.Upload(Random(units * g), [units, g]),
            Bias = backend.Upload(Random(biasLength), [biasLength]),
            Output = backend.Allocate(batch, steps, units),
            FinalH = backend.Allocate(batch, units),
            FinalC = spec.HasCellState ? backend.Allocate(batch, units) : null,
        };
        using var tape = backend.RecurrentForward(spec, fwd, keepForBackward: true)!;
        var back = new RecurrentBackwardArgs
        {
            Forward = fwd,
            Tape = tape,
            OutputGrad = backend.Upload(Random(batch * steps * units), [batch, steps, units]),
            FinalHGrad = backend.Upload(Random(batch * units), [batch, units]),
            FinalCGrad = spec.HasCellState ? backend.Upload(Random(batch * units), [batch, units]) : null,
            InputGrad = backend.Upload(Random(batch * steps * inputs), [batch, steps, inputs]),
            InitialHGrad = backend.Upload(Random(batch * units), [batch, units]),
            InitialCGrad = spec.HasCellState ? backend.Upload(Random(batch * units), [batch, units]) : null,
            KernelGrad = backend.Upload(Random(inputs * g), [inputs, g]),
            RecurrentKernelGrad = backend.Upload(Random(units * g), [units, g]),
            BiasGrad = backend.Upload(Random(biasLength), [biasLength]),
        };
        backend.RecurrentBackward(spec, back);

        var results = new Dictionary<string, double[]>();
        void Add(string name, DeviceTensor? t)
        {
            if (t is null) return;
            var data = new double[t.Length];
            backend.Download(t, data);
            results[name] = data;
        }
        Add("output", fwd.Output); Add("final h", fwd.FinalH); Add("final c", fwd.FinalC);
        Add("input gradient", back.InputGrad); Add("initial h gradient", back.InitialHGrad); Add("initial c gradient", back.InitialCGrad);
        Add("kernel gradient", back.KernelGrad); Add("recurrent kernel gradient", back.RecurrentKernelGrad); Add("bias gradient", back.BiasGrad);
        return results;
    }

    /// <summary>
    /// Asserts that every named result of <paramref name="actual"/> is within <paramref name="tolerance"/> of
    /// <paramref name="expected"/>, relative to max(1, |expected|); the message names the worst element.
    /// </summary>
    public static void AssertSame(Dictionary<string, double[]> actual, Dictionary<string, double[]> expected, double tolerance, string actualName, string expectedName)
    {
        Assert.That(actual.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, want) in expected)
        {
            var got = actual[name];
            int worst = Enumerable.Range(0, want.Length).MaxBy(k => Math.Abs(got[k] - want[k]) / Math.Max(1, Math.Abs(want[k])));
            Assert.That(Math.Abs(got[worst] - want[worst]), Is.LessThanOrEqualTo(tolerance * Math.Max(1, Math.Abs(want[worst]))),
                $"{name}[{worst}]: {got[worst]:R} {actualName}, {want[worst]:R} {expectedName}");
        }
    }
}
