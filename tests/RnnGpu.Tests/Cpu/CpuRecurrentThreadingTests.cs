using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Backends.Cpu;
using RnnGpu.Tests.Support;

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
        var split = RecurrentBatchSplit.Plan(Batch, Steps, Units, 3 * Units, Threads);
        Assert.That(split.Parts, Is.EqualTo(Threads), "the shape must be large enough for the split to happen");
        Assert.That(Enumerable.Range(0, split.Parts).Select(p => split.Rows(p)), Is.EqualTo(new[] { (0, 6), (6, 13), (13, 20) }), "rows dealt evenly");
    }

    /// <summary>A batch of two rows still splits in two when the layer is large enough: one row per thread.</summary>
    [Test]
    public void TwoRowsSplitInTwo()
    {
        var split = RecurrentBatchSplit.Plan(batch: 2, steps: 12, h: 128, gh: 512, threads: 2);
        Assert.That(Enumerable.Range(0, split.Parts).Select(p => split.Rows(p)), Is.EqualTo(new[] { (0, 1), (1, 2) }));
        var spec = new RecurrentSpec(RecurrentKind.Lstm, 128);
        var single = RecurrentLayerRun.Run(new CpuBackend<double>(threads: 1), spec, 2, 12, Inputs, 128);
        var split2 = RecurrentLayerRun.Run(new CpuBackend<double>(threads: 2) { ForcedSplit = RecurrentSplitKind.Batch }, spec, 2, 12, Inputs, 128);
        RecurrentLayerRun.AssertSame(split2, single, 1e-12, "one row per thread", "one thread");
    }

    [Test]
    public void SmallLayersRunOnOneThread()
    {
        var split = RecurrentBatchSplit.Plan(batch: 4, steps: 5, h: 8, gh: 32, threads: 8);
        Assert.That((split.Parts, split.GemmThreads, split.Rows(0)), Is.EqualTo((1, 8, (0, 4))));
    }

    /// <summary>
    /// Inference keeps only the current step in its per-step buffers; its outputs must be exactly those of the forward
    /// that keeps every step, in float (the fused cells) and double, on one thread and split.
    /// </summary>
    [TestCaseSource(nameof(Specs))]
    public void InferenceForwardEqualsTheTrainingForward(RecurrentSpec spec)
    {
        foreach (int threads in new[] { 1, Threads })
        {
            foreach (IBackend backend in new IBackend[] { new CpuBackend<float>(threads), new CpuBackend<double>(threads) })
            {
                var kept = RecurrentLayerRun.RunForward(backend, spec, Batch, Steps, Inputs, Units, keepForBackward: true);
                var inference = RecurrentLayerRun.RunForward(backend, spec, Batch, Steps, Inputs, Units, keepForBackward: false);
                RecurrentLayerRun.AssertSame(inference, kept, 0, $"without a tape ({backend.Name})", "with one");
            }
        }
    }

    [TestCaseSource(nameof(Specs))]
    public void SplitLoopEqualsTheSingleThreadLoop(RecurrentSpec spec)
    {
        var single = RecurrentLayerRun.Run(new CpuBackend<double>(threads: 1), spec, Batch, Steps, Inputs, Units);
        var split = RecurrentLayerRun.Run(new CpuBackend<double>(threads: Threads) { ForcedSplit = RecurrentSplitKind.Batch }, spec, Batch, Steps, Inputs, Units);
        RecurrentLayerRun.AssertSame(split, single, 1e-12, $"with {Threads} threads", "with one");
    }

    /// <summary>The cells that can split their hidden units among threads (the reset-before GRU cannot).</summary>
    public static IEnumerable<TestCaseData> UnitSplitSpecs() => Specs().Where(c => ((RecurrentSpec)c.Arguments[0]!) is not { Kind: RecurrentKind.Gru, ResetAfter: false });

    /// <summary>
    /// Split by hidden units (<see cref="RecurrentUnitSplit"/>): the members own blocks of units of 16 (double) or 32
    /// (float), so at H = 70 the last block is narrower than the rest and, in float, narrower than the fused cells'
    /// registers. Every output and gradient must equal the single-thread loop's to rounding (1e-12 in double; 1e-5 in
    /// float, where the fused cells run on the wide blocks and the generic kernels on the narrow one, 2.5e-4 with ReLU).
    /// </summary>
    [TestCaseSource(nameof(UnitSplitSpecs))]
    public void UnitSplitLoopEqualsTheSingleThreadLoop(RecurrentSpec spec)
    {
        var single = RecurrentLayerRun.Run(new CpuBackend<double>(threads: 1), spec, Batch, Steps, Inputs, Units);
        var floatSingle = RecurrentLayerRun.Run(new CpuBackend<float>(threads: 1), spec, Batch, Steps, Inputs, Units);
        foreach (int threads in new[] { 2, Threads })
        {
            var byUnits = RecurrentLayerRun.Run(new CpuBackend<double>(threads) { ForcedSplit = RecurrentSplitKind.Units }, spec, Batch, Steps, Inputs, Units);
            RecurrentLayerRun.AssertSame(byUnits, single, 1e-12, $"split by units over {threads} threads", "one thread");
            var floatByUnits = RecurrentLayerRun.Run(new CpuBackend<float>(threads) { ForcedSplit = RecurrentSplitKind.Units }, spec, Batch, Steps, Inputs, Units);
            // An unbounded ReLU recurrence carries the products' different rounding forward undamped, step after step:
            // with 256-bit vectors (AVX-512 off) a recurrent kernel gradient of 0.0198 differed by 1.05e-4.
            double floatTolerance = spec.Activation == ActivationKind.Relu ? 2.5e-4 : 1e-5;
            RecurrentLayerRun.AssertSame(floatByUnits, floatSingle, floatTolerance, $"float split by units over {threads} threads", "float on one thread");
        }
    }

    [TestCaseSource(nameof(UnitSplitSpecs))]
    public void UnitSplitInferenceEqualsTheTrainingForward(RecurrentSpec spec)
    {
        foreach (IBackend backend in new IBackend[]
        {
            new CpuBackend<float>(Threads) { ForcedSplit = RecurrentSplitKind.Units }, new CpuBackend<double>(Threads) { ForcedSplit = RecurrentSplitKind.Units },
        })
        {
            var kept = RecurrentLayerRun.RunForward(backend, spec, Batch, Steps, Inputs, Units, keepForBackward: true);
            var inference = RecurrentLayerRun.RunForward(backend, spec, Batch, Steps, Inputs, Units, keepForBackward: false);
            RecurrentLayerRun.AssertSame(inference, kept, 0, $"without a tape ({backend.Name})", "with one");
        }
    }

    [Test]
    public void SmallBatchesWithALargeRecurrentKernelSplitUnits()
    {
        var lstm256 = new RecurrentSpec(RecurrentKind.Lstm, 256);
        bool Applies(RecurrentSpec spec, int batch, int threads = 2, int elementSize = sizeof(float), RecurrentSplitKind? forced = null) =>
            RecurrentUnitSplit.Applies(spec, batch, spec.Units, spec.Gates * spec.Units, elementSize, threads, align: 32, forced);
        Assert.Multiple(() =>
        {
            Assert.That(Applies(lstm256, batch: 1), Is.True, "LSTM(256), batch 1: U is 1 MB");
            Assert.That(Applies(lstm256, batch: 16), Is.True, "batch 16");
            Assert.That(Applies(lstm256, batch: 24), Is.False, "batch 24");
            Assert.That(Applies(lstm256, batch: 16, threads: 1), Is.False, "one thread");
            var lstm1024 = new RecurrentSpec(RecurrentKind.Lstm, 1024);
            Assert.That(Applies(lstm1024, batch: 4), Is.True, "LSTM(1024), batch 4");
            Assert.That(Applies(lstm1024, batch: 1), Is.False, "LSTM(1024), batch 1: a 16 MB U is read in place, not copied per call");
            Assert.That(Applies(new RecurrentSpec(RecurrentKind.Lstm, 128), batch: 16), Is.False, "LSTM(128): U is 256 KB in float");
            Assert.That(Applies(new RecurrentSpec(RecurrentKind.Lstm, 182), batch: 16, elementSize: sizeof(double)), Is.True, "LSTM(182) in double: U is 1 MB");
            Assert.That(Applies(new RecurrentSpec(RecurrentKind.Gru, 256, ResetAfter: false), batch: 1, forced: RecurrentSplitKind.Units), Is.False,
                "the reset-before GRU needs every unit of r ⊙ h inside the step");
            Assert.That(Applies(new RecurrentSpec(RecurrentKind.Lstm, 30), batch: 128, forced: RecurrentSplitKind.Units), Is.True, "forced");
        });
    }

    [Test]
    public void UnitBlocksCoverEveryUnitOnce()
    {
        foreach (var (h, members) in new[] { (70, 2), (70, 3), (256, 2), (40, 3), (1024, 16) })
        {
            var blocks = Enumerable.Range(0, members).Select(m => RecurrentUnitSplit.Units(h, m, members, 32)).ToList();
            Assert.That(blocks[0].Start, Is.EqualTo(0), $"h {h}, {members} members");
            Assert.That(blocks[^1].End, Is.EqualTo(h), $"h {h}, {members} members");
            for (int m = 1; m < members; m++) Assert.That(blocks[m].Start, Is.EqualTo(blocks[m - 1].End), $"h {h}, member {m}");
            Assert.That(blocks.Take(members - 1).Select(b => b.Start % 32), Is.All.EqualTo(0), "blocks start on kernel panels");
        }
    }
}
