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
        var random = Uniform(seed);
        int g = spec.Gates * units, biasLength = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? 2 * g : g;
        var fwd = ForwardArgs(backend, spec, batch, steps, inputs, units, random);
        using var tape = backend.RecurrentForward(spec, fwd, keepForBackward: true)!;
        var back = new RecurrentBackwardArgs
        {
            Forward = fwd,
            Tape = tape,
            OutputGrad = backend.Upload(random(batch * steps * units), [batch, steps, units]),
            FinalHGrad = backend.Upload(random(batch * units), [batch, units]),
            FinalCGrad = spec.HasCellState ? backend.Upload(random(batch * units), [batch, units]) : null,
            InputGrad = backend.Upload(random(batch * steps * inputs), [batch, steps, inputs]),
            InitialHGrad = backend.Upload(random(batch * units), [batch, units]),
            InitialCGrad = spec.HasCellState ? backend.Upload(random(batch * units), [batch, units]) : null,
            KernelGrad = backend.Upload(random(inputs * g), [inputs, g]),
            RecurrentKernelGrad = backend.Upload(random(units * g), [units, g]),
            BiasGrad = backend.Upload(random(biasLength), [biasLength]),
        };
        backend.RecurrentBackward(spec, back);

        var results = new Dictionary<string, double[]>();
        AddForward(results, backend, fwd);
        Add(results, backend, "input gradient", back.InputGrad); Add(results, backend, "initial h gradient", back.InitialHGrad);
        Add(results, backend, "initial c gradient", back.InitialCGrad); Add(results, backend, "kernel gradient", back.KernelGrad);
        Add(results, backend, "recurrent kernel gradient", back.RecurrentKernelGrad); Add(results, backend, "bias gradient", back.BiasGrad);
        return results;
    }

    /// <summary>
    /// The forward half of <see cref="Run"/> alone (same inputs for the same seed), keeping a tape or not: the outputs
    /// and final states by name.
    /// </summary>
    public static Dictionary<string, double[]> RunForward(IBackend backend, RecurrentSpec spec, int batch, int steps, int inputs, int units,
        bool keepForBackward, int seed = 7)
    {
        var fwd = ForwardArgs(backend, spec, batch, steps, inputs, units, Uniform(seed));
        backend.RecurrentForward(spec, fwd, keepForBackward)?.Dispose();
        var results = new Dictionary<string, double[]>();
        AddForward(results, backend, fwd);
        return results;
    }

    /// <summary>Values uniform in [−0.5, 0.5), drawn in order from one generator seeded with <paramref name="seed"/>.</summary>
    private static Func<int, double[]> Uniform(int seed)
    {
        var rng = new Random(seed);
        return n => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
    }

    private static void AddForward(Dictionary<string, double[]> results, IBackend backend, RecurrentForwardArgs fwd)
    {
        Add(results, backend, "output", fwd.Output);
        Add(results, backend, "final h", fwd.FinalH);
        Add(results, backend, "final c", fwd.FinalC);
    }

    private static void Add(Dictionary<string, double[]> results, IBackend backend, string name, DeviceTensor? t)
    {
        if (t is null) return;
        var data = new double[t.Length];
        backend.Download(t, data);
        results[name] = data;
    }

    private static RecurrentForwardArgs ForwardArgs(IBackend backend, RecurrentSpec spec, int batch, int steps, int inputs, int units, Func<int, double[]> random)
    {
        int g = spec.Gates * units, biasLength = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? 2 * g : g;
        var mask = Enumerable.Range(0, batch * steps).Select(k => k % 5 == 3 ? 0.0 : 1.0).ToArray();
        return new RecurrentForwardArgs
        {
            Input = backend.Upload(random(batch * steps * inputs), [batch, steps, inputs]),
            Mask = backend.Upload(mask, [batch, steps]),
            InitialH = backend.Upload(random(batch * units), [batch, units]),
            InitialC = spec.HasCellState ? backend.Upload(random(batch * units), [batch, units]) : null,
            Kernel = backend.Upload(random(inputs * g), [inputs, g]),
            RecurrentKernel = backend.Upload(random(units * g), [units, g]),
            Bias = backend.Upload(random(biasLength), [biasLength]),
            Output = backend.Allocate(batch, steps, units),
            FinalH = backend.Allocate(batch, units),
            FinalC = spec.HasCellState ? backend.Allocate(batch, units) : null,
        };
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
