using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Cuda;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// The step plan without a GPU: which layers <see cref="RecurrentStepMode.Auto"/> fuses, the grid of 8-unit by 16-row
/// tiles, and block sizes that fit the kernels' shared partial sums (at most 256 threads, whole column groups).
/// </summary>
[TestFixture]
public sealed class CudaRecurrentStepPlanTests
{
    [TestCase(RecurrentKind.Lstm, 128, 128, true)]   // 128·4·128² = 2²³ multiply-adds: the largest fused LSTM(128)
    [TestCase(RecurrentKind.Lstm, 129, 128, false)]
    [TestCase(RecurrentKind.Lstm, 1, 1024, true)]
    [TestCase(RecurrentKind.Lstm, 16, 512, false)]
    [TestCase(RecurrentKind.Gru, 1, 50, true)]
    [TestCase(RecurrentKind.SimpleRnn, 64, 128, true)]
    public void AutoFusesSmallProducts(RecurrentKind kind, int batch, int units, bool fused)
    {
        var plan = CudaRecurrentStepPlan.For(new RecurrentSpec(kind, units), batch, units, RecurrentStepMode.Auto);
        Assert.That(plan.Fused, Is.EqualTo(fused));
    }

    [Test]
    public void ResetBeforeGruNeverFuses()
    {
        var spec = new RecurrentSpec(RecurrentKind.Gru, 8, ResetAfter: false);
        Assert.That(CudaRecurrentStepPlan.For(spec, 1, 8, RecurrentStepMode.Fused).Fused, Is.False);
        Assert.That(CudaRecurrentStepPlan.For(spec, 1, 8, RecurrentStepMode.Persistent), Has.Property("Fused").False.And.Property("Persistent").False);
    }

    [Test]
    public void OnlyThePersistentModeTriesOneLaunchPerLoop()
    {
        var spec = new RecurrentSpec(RecurrentKind.Lstm, 8);
        var persistent = CudaRecurrentStepPlan.For(spec, 1, 8, RecurrentStepMode.Persistent);
        Assert.That((persistent.Fused, persistent.Persistent), Is.EqualTo((true, true)));
        foreach (var mode in new[] { RecurrentStepMode.Auto, RecurrentStepMode.Cublas, RecurrentStepMode.Fused })
            Assert.That(CudaRecurrentStepPlan.For(spec, 1, 8, mode).Persistent, Is.False, mode.ToString());
    }

    [TestCase(RecurrentKind.Lstm, 256u)]
    [TestCase(RecurrentKind.Gru, 240u)]
    [TestCase(RecurrentKind.SimpleRnn, 256u)]
    public void GridAndBlocksFollowTheTiles(RecurrentKind kind, uint forwardThreads)
    {
        var spec = new RecurrentSpec(kind, 30);
        var fused = CudaRecurrentStepPlan.For(spec, 37, 30, RecurrentStepMode.Fused);
        Assert.That(fused.Blocks, Is.EqualTo(4u * 3u), "ceil(30 / 8) unit tiles times ceil(37 / 16) row tiles");
        Assert.That(fused.ForwardThreads, Is.EqualTo(forwardThreads));
        Assert.That(fused.ForwardThreads % (uint)(spec.Gates * CudaRecurrentStepPlan.Units), Is.Zero);
        Assert.That(fused.BackwardThreads, Is.EqualTo(256u), "a warp per unit of the tile");

        var cublas = CudaRecurrentStepPlan.For(spec, 37, 30, RecurrentStepMode.Cublas);
        Assert.That(cublas.Fused, Is.False);
        Assert.That((cublas.Blocks, cublas.ForwardThreads, cublas.BackwardThreads), Is.EqualTo((12u, 128u, 128u)), "one thread per cell of the tile");
    }
}
