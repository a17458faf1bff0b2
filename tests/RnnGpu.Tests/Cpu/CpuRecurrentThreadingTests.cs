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
        var split = RecurrentLayerRun.Run(new CpuBackend<double>(threads: Threads), spec, Batch, Steps, Inputs, Units);
        RecurrentLayerRun.AssertSame(split, single, 1e-12, $"with {Threads} threads", "with one");
    }
}
