using NUnit.Framework;
using RnnGpu.Backends;

namespace RnnGpu.Tests.Cuda;

/// <summary>Memory, GEMM, elementwise, activation, copy, reduction, embedding and mask operations: GPU against CPU.</summary>
[TestFixture]
[Category("Gpu")]
public sealed class GpuElementwiseTests : GpuTestBase
{
    private static readonly int[][] Shapes = [[1, 1], [1, 37], [7, 1], [33, 65], [1000, 3], [3, 5, 129]];

    [Test]
    public void UploadDownloadViewCopyFill()
    {
        var data = Random(1001);
        using var t = Gpu.Upload(data, [7, 143]);
        Assert.That(Read(Gpu, t), Is.EqualTo(data));

        var doubles = data.Select(v => (double)v).ToArray();
        using var fromDoubles = Gpu.Upload(doubles, [1001]);
        var back = new double[1001];
        Gpu.Download(fromDoubles, back);
        Assert.That(back, Is.EqualTo(doubles));

        using var view = Gpu.View(t, [11, -1]);
        Assert.That(view.Shape, Is.EqualTo(new[] { 11, 91 }));
        Assert.That(Read(Gpu, view), Is.EqualTo(data));

        using var copy = Gpu.Allocate(1001);
        Assert.That(Read(Gpu, copy), Is.All.EqualTo(0f));
        Gpu.Copy(t, copy);
        Assert.That(Read(Gpu, copy), Is.EqualTo(data));
        Gpu.Fill(copy, -2.5);
        Assert.That(Read(Gpu, copy), Is.All.EqualTo(-2.5f));

        using var empty = Gpu.Allocate(0, 4);
        Assert.That(Read(Gpu, empty), Is.Empty);
    }

    [Test]
    public void AllocatorReusesFreedBlocks()
    {
        var cuda = (RnnGpu.Cuda.CudaBackend)Gpu;
        for (int i = 0; i < 3; i++) Gpu.Allocate(123, 77).Dispose();
        long before = cuda.MemoryStatistics.DeviceAllocations;
        for (int i = 0; i < 100; i++) Gpu.Allocate(123, 77).Dispose();
        Assert.That(cuda.MemoryStatistics.DeviceAllocations, Is.EqualTo(before), "steady state makes no cuMemAlloc");
    }

    [TestCase(1, 1, 1)]
    [TestCase(17, 33, 65)]
    [TestCase(128, 257, 3)]
    [TestCase(1, 300, 1)]
    [TestCase(64, 64, 1000)]
    public void GemmEveryTransposeWithAlphaBeta(int m, int n, int k)
    {
        foreach (var ta in new[] { false, true })
        foreach (var tb in new[] { false, true })
        {
            var a = RandomPair(ta ? [k, m] : [m, k]);
            var b = RandomPair(tb ? [n, k] : [k, n]);
            var c = RandomPair(m, n);
            Gpu.Gemm(a.G, ta, b.G, tb, c.G, 0.75, 0.5);
            Cpu.Gemm(a.C, ta, b.C, tb, c.C, 0.75, 0.5);
            // Float accumulation over k terms in different orders on each side: allow about k·ε.
            AssertClose($"gemm {m}×{n}×{k} tA={ta} tB={tb}", c, rel: 1e-4, abs: 1e-5 + 2e-7 * k);
        }
    }

    [TestCaseSource(nameof(Shapes))]
    public void ArithmeticAndBias(int[] shape)
    {
        var a = RandomPair(shape); var b = RandomPair(shape); var y = RandomPair(shape);
        foreach (var backend in new[] { (Gpu, true), (Cpu, false) })
        {
            var (be, g) = backend;
            DeviceTensor A = g ? a.G : a.C, B = g ? b.G : b.C, Y = g ? y.G : y.C;
            be.Axpy(0.3, A, Y);
            be.Scale(Y, -1.7);
            be.MultiplyAccumulate(A, B, Y);
            be.Add(A, Y, Y);
            be.Subtract(Y, B, Y);
            be.Multiply(Y, A, Y);
        }
        AssertClose("axpy/scale/fma/add/sub/mul", y);

        int columns = shape[^1];
        var v = RandomPair(columns);
        var z = RandomPair(shape);
        Gpu.AddRowVector(a.G, v.G, z.G);
        Cpu.AddRowVector(a.C, v.C, z.C);
        AssertClose("add row vector", z);

        var sums = RandomPair(columns);
        Gpu.SumRowsAccumulate(a.G, sums.G);
        Cpu.SumRowsAccumulate(a.C, sums.C);
        AssertClose("column sums", sums, abs: 1e-4);
    }

    [Test]
    public void ActivationsAndTheirGradients([Values] ActivationKind kind)
    {
        foreach (var shape in Shapes)
        {
            var x = Pair(Random(ShapeUtil.Size(shape), scale: 4), shape);
            var y = RandomPair(shape);
            Gpu.Activation(kind, x.G, y.G);
            Cpu.Activation(kind, x.C, y.C);
            AssertClose($"{kind} {ShapeUtil.Format(shape)}", y);

            var dy = RandomPair(shape);
            var dx = RandomPair(shape);
            Gpu.ActivationBackward(kind, y.G, dy.G, dx.G);
            Cpu.ActivationBackward(kind, y.C, dy.C, dx.C);
            AssertClose($"{kind} backward {ShapeUtil.Format(shape)}", dx);
        }
    }

    [Test]
    public void ColumnAndTimestepCopies([Values] bool accumulate)
    {
        var src = RandomPair(9, 13);
        var dst = RandomPair(9, 21);
        Gpu.CopyColumns(src.G, 3, dst.G, 11, 7, accumulate);
        Cpu.CopyColumns(src.C, 3, dst.C, 11, 7, accumulate);
        AssertClose("copy columns", dst);

        var seq = RandomPair(3, 5, 7);
        var step = RandomPair(3, 7);
        Gpu.CopyTimestep(seq.G, 4, step.G, toSequence: false, accumulate);
        Cpu.CopyTimestep(seq.C, 4, step.C, toSequence: false, accumulate);
        AssertClose("timestep to step", step);
        Gpu.CopyTimestep(seq.G, 2, step.G, toSequence: true, accumulate);
        Cpu.CopyTimestep(seq.C, 2, step.C, toSequence: true, accumulate);
        AssertClose("step to timestep", seq);
    }

    [TestCase(1)]
    [TestCase(255)]
    [TestCase(1_000_003)]
    public void ReductionsAndClip(int n)
    {
        var data = Random(n, scale: 3);
        var x = Pair(data, n);
        // Both add in double: the GPU every element, the CPU blocks of 4096 summed in float. A sum's rounding scales
        // with Σ|x|, not with the sum, which cancels (1e6 elements: Σ|x| 1.5e6, sum ~300, CPU off by up to 7e-4).
        double magnitude = data.Sum(v => Math.Abs((double)v));
        AssertClose("sum", Gpu.Sum(x.G), Cpu.Sum(x.C), rel: 0, abs: 1e-6 + 1e-7 * magnitude);
        AssertClose("sum of squares", Gpu.SumOfSquares(x.G), Cpu.SumOfSquares(x.C), rel: 1e-6, abs: 1e-4);
        Gpu.Clip(x.G, -0.5, 1.25);
        Cpu.Clip(x.C, -0.5, 1.25);
        AssertClose("clip", x);
    }

    [Test]
    public void EmbeddingGatherScatterAndMask()
    {
        var table = RandomPair(11, 37);
        int[] idx = [3, 0, 10, 3, 3, 7, 1, 10];
        var indices = IndexPair(idx, 2, 4);
        var y = RandomPair(2, 4, 37);
        Gpu.Gather(table.G, indices.G, y.G);
        Cpu.Gather(table.C, indices.C, y.C);
        AssertClose("gather", y);

        var dTable = RandomPair(11, 37);
        Gpu.ScatterAdd(y.G, indices.G, dTable.G);
        Cpu.ScatterAdd(y.C, indices.C, dTable.C);
        AssertClose("scatter-add with repeated indices", dTable);

        var x = Random(4 * 6 * 3);
        for (int i = 0; i < 3; i++) { x[i] = 0; x[5 * 3 + i] = 0; x[(2 * 6 + 3) * 3 + i] = 0; }
        x[(3 * 6 + 2) * 3 + 1] = 0; // one zero feature does not mask a step
        var seq = Pair(x, 4, 6, 3);
        var mask = RandomPair(4, 6);
        Gpu.TimestepMask(seq.G, 0, mask.G);
        Cpu.TimestepMask(seq.C, 0, mask.C);
        AssertClose("timestep mask", mask);
        Assert.That(Read(Gpu, mask.G).Count(v => v == 0), Is.EqualTo(3));
    }
}
