using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// The CPU's recurrent time loop split over batch rows (<see cref="RecurrentBatchSplit"/>): with several threads
/// every output and gradient must equal the single-thread result, for every cell, with a mask and an initial state, on
/// a batch that does not divide evenly into the parts. Equal up to rounding (1e-12 relative): with fewer rows per part
/// a per-step GEMM may take the unpacked path, which adds in another order.
/// </summary>
[TestFixture]
public sealed class CpuRecurrentThreadingTests
{
    private const int Batch = 20, Steps = 12, Inputs = 7, Units = 70, Threads = 3;

    public static IEnumerable<TestCaseData> Specs()
    {
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.SimpleRnn, Units, ActivationKind.Relu)).SetName("SimpleRnn-relu");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Lstm, Units)).SetName("Lstm");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Gru, Units, ResetAfter: true)).SetName("Gru-after");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Gru, Units, ResetAfter: false)).SetName("Gru-before");
    }

    [Test]
    public void TheTestShapeIsSplit()
    {
        var split = RecurrentBatchSplit.Plan(Batch, Steps, Units, 3 * Units, Threads, CpuGemmKernel<double>.Rows);
        Assert.That(split.Parts, Is.EqualTo(Threads), "the shape must be large enough for the split to happen");
        Assert.That(Enumerable.Range(0, split.Parts).Select(p => split.Rows(p)), Is.EqualTo(new[] { (0, 6), (6, 12), (12, 20) }));
    }

    [Test]
    public void SmallLayersRunOnOneThread()
    {
        var split = RecurrentBatchSplit.Plan(batch: 4, steps: 5, h: 8, gh: 32, threads: 8, CpuGemmKernel<float>.Rows);
        Assert.That((split.Parts, split.GemmThreads, split.Rows(0)), Is.EqualTo((1, 8, (0, 4))));
    }

    [TestCaseSource(nameof(Specs))]
    public void SplitLoopEqualsTheSingleThreadLoop(RecurrentSpec spec)
    {
        var single = Run(new CpuBackend<double>(threads: 1), spec);
        var split = Run(new CpuBackend<double>(threads: Threads), spec);
        Assert.That(split.Keys, Is.EquivalentTo(single.Keys));
        foreach (var (name, expected) in single)
        {
            var actual = split[name];
            int worst = Enumerable.Range(0, expected.Length).MaxBy(k => Math.Abs(actual[k] - expected[k]) / Math.Max(1, Math.Abs(expected[k])));
            Assert.That(Math.Abs(actual[worst] - expected[worst]), Is.LessThanOrEqualTo(1e-12 * Math.Max(1, Math.Abs(expected[worst]))),
                $"{name}[{worst}]: {actual[worst]:R} with {Threads} threads, {expected[worst]:R} with one");
        }
    }

    /// <summary>Forward and backward with a mask, initial states and non-zero gradient buffers; every result by name.</summary>
    private static Dictionary<string, double[]> Run(CpuBackend<double> backend, RecurrentSpec spec)
    {
        var rng = new Random(7);
        double[] Random(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        int g = spec.Gates * Units, biasLength = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? 2 * g : g;
        var mask = Enumerable.Range(0, Batch * Steps).Select(k => k % 5 == 3 ? 0.0 : 1.0).ToArray();
        var fwd = new RecurrentForwardArgs
        {
            Input = backend.Upload(Random(Batch * Steps * Inputs), [Batch, Steps, Inputs]),
            Mask = backend.Upload(mask, [Batch, Steps]),
            InitialH = backend.Upload(Random(Batch * Units), [Batch, Units]),
            InitialC = spec.HasCellState ? backend.Upload(Random(Batch * Units), [Batch, Units]) : null,
            Kernel = backend.Upload(Random(Inputs * g), [Inputs, g]),
            RecurrentKernel = backend.Upload(Random(Units * g), [Units, g]),
            Bias = backend.Upload(Random(biasLength), [biasLength]),
            Output = backend.Allocate(Batch, Steps, Units),
            FinalH = backend.Allocate(Batch, Units),
            FinalC = spec.HasCellState ? backend.Allocate(Batch, Units) : null,
        };
        using var tape = backend.RecurrentForward(spec, fwd, keepForBackward: true)!;
        var back = new RecurrentBackwardArgs
        {
            Forward = fwd,
            Tape = tape,
            OutputGrad = backend.Upload(Random(Batch * Steps * Units), [Batch, Steps, Units]),
            FinalHGrad = backend.Upload(Random(Batch * Units), [Batch, Units]),
            FinalCGrad = spec.HasCellState ? backend.Upload(Random(Batch * Units), [Batch, Units]) : null,
            InputGrad = backend.Upload(Random(Batch * Steps * Inputs), [Batch, Steps, Inputs]),
            InitialHGrad = backend.Upload(Random(Batch * Units), [Batch, Units]),
            InitialCGrad = spec.HasCellState ? backend.Upload(Random(Batch * Units), [Batch, Units]) : null,
            KernelGrad = backend.Upload(Random(Inputs * g), [Inputs, g]),
            RecurrentKernelGrad = backend.Upload(Random(Units * g), [Units, g]),
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
}
