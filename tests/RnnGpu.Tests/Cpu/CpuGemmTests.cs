using System.Diagnostics;
using System.Numerics;
using NUnit.Framework;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// <see cref="CpuGemm"/> against a naive triple loop accumulated in double.
/// Tolerance per element of C: 4·ε·(k + 2)·(|alpha|·Σp |op(A)ip·op(B)pj| + |beta·C0ij|), ε the unit roundoff of T
/// (2⁻²⁴ float, 2⁻⁵³ double) — the classical forward error bound of a dot product, with a factor 4 of slack.
/// </summary>
[TestFixture]
public unsafe class CpuGemmTests
{
    private static readonly int[] Sizes = [0, 1, 3, 17, 64, 129, 300];

    private static readonly (double Alpha, double Beta)[] Scalars = [(1, 0), (1, 1), (-0.5, 2.5), (2, 0), (0, 0.5), (0, 0)];

    /// <summary>Random shapes from <see cref="Sizes"/> for every transpose combination, both padded and tight strides.</summary>
    private static IEnumerable<TestCaseData> Cases()
    {
        var random = new Random(1234);
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                // Every size appears in every position at least once, the rest is random.
                for (int i = 0; i < Sizes.Length; i++)
                {
                    int m = Sizes[i], n = Sizes[(i + 3) % Sizes.Length], k = Sizes[(i + 5) % Sizes.Length];
                    yield return Case(transA, transB, m, n, k, i % 2 == 0 ? 0 : 3, i % Scalars.Length);
                }
                for (int i = 0; i < 6; i++)
                {
                    int m = Sizes[random.Next(Sizes.Length)], n = Sizes[random.Next(Sizes.Length)], k = Sizes[random.Next(Sizes.Length)];
                    yield return Case(transA, transB, m, n, k, random.Next(2) * 5, random.Next(Scalars.Length));
                }
                yield return Case(transA, transB, 1, 150, 50, 0, 0);
                yield return Case(transA, transB, 1, 300, 300, 1, 2); // single row: unpacked path even when large
                yield return Case(transA, transB, 5, 9, 33, 1, 3);    // tiny: unpacked path
                yield return Case(transA, transB, 3, 129, 300, 0, 1); // few rows but packed path
                yield return Case(transA, transB, 7, 33, 513, 2, 2);
            }
    }

    private static TestCaseData Case(bool transA, bool transB, int m, int n, int k, int pad, int scalars) =>
        new TestCaseData(transA, transB, m, n, k, pad, Scalars[scalars].Alpha, Scalars[scalars].Beta)
            .SetArgDisplayNames($"tA={transA}", $"tB={transB}", $"m={m}", $"n={n}", $"k={k}", $"pad={pad}", $"alpha={Scalars[scalars].Alpha}", $"beta={Scalars[scalars].Beta}");

    [TestCaseSource(nameof(Cases))]
    public void Float_MatchesNaiveProduct(bool transA, bool transB, int m, int n, int k, int pad, double alpha, double beta) =>
        Check<float>(transA, transB, m, n, k, pad, alpha, beta, maxThreads: 1, seed: m * 7 + n * 13 + k);

    [TestCaseSource(nameof(Cases))]
    public void Double_MatchesNaiveProduct(bool transA, bool transB, int m, int n, int k, int pad, double alpha, double beta) =>
        Check<double>(transA, transB, m, n, k, pad, alpha, beta, maxThreads: 1, seed: m * 7 + n * 13 + k);

    /// <summary>
    /// Shapes big enough to be split across threads: along rows (square), along columns (per-step shape), and along the
    /// depth (weight-gradient shapes, k = batch × time far longer than C is wide; the depth does not divide evenly).
    /// </summary>
    [TestCase(false, false, 300, 300, 300)]
    [TestCase(true, true, 300, 300, 300)]
    [TestCase(false, false, 64, 2048, 512)]
    [TestCase(true, false, 64, 2048, 512)]
    [TestCase(false, true, 2048, 40, 300)]
    [TestCase(true, false, 30, 120, 3583)]
    [TestCase(true, false, 128, 512, 2801)]
    [TestCase(false, true, 56, 512, 1283)]
    public void Threaded_MatchesNaiveProduct(bool transA, bool transB, int m, int n, int k)
    {
        Check<float>(transA, transB, m, n, k, pad: 1, alpha: 1.5, beta: 0.5, maxThreads: 4, seed: 7);
        Check<double>(transA, transB, m, n, k, pad: 0, alpha: 1, beta: 0, maxThreads: 2, seed: 8);
    }

    [Test]
    public void BetaZero_OverwritesNaNs()
    {
        const int m = 13, n = 21, k = 9;
        var a = Enumerable.Repeat(1f, m * k).ToArray();
        var b = Enumerable.Repeat(2f, k * n).ToArray();
        var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        fixed (float* pa = a, pb = b, pc = c)
            CpuGemm.Gemm(false, false, m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        Assert.That(c, Is.All.EqualTo(18f));

        Array.Fill(c, float.NaN);
        fixed (float* pa = a, pb = b, pc = c)
            CpuGemm.Gemm(false, false, m, n, 0, 1f, pa, k, pb, n, 0f, pc, n);
        Assert.That(c, Is.All.EqualTo(0f), "k = 0 with beta = 0 clears C");
    }

    [Test]
    public void InvalidArguments_Throw()
    {
        var buffer = new float[64];
        Assert.Multiple(() =>
        {
            Assert.That(() => Call(buffer, false, false, -1, 2, 2, 2, 2, 2), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => Call(buffer, false, false, 2, 2, 3, 2, 2, 2), Throws.InstanceOf<ArgumentOutOfRangeException>(), "lda < k");
            Assert.That(() => Call(buffer, true, false, 3, 2, 2, 2, 2, 2), Throws.InstanceOf<ArgumentOutOfRangeException>(), "lda < m when transA");
            Assert.That(() => Call(buffer, false, true, 2, 2, 3, 3, 2, 2), Throws.InstanceOf<ArgumentOutOfRangeException>(), "ldb < k when transB");
            Assert.That(() => Call(buffer, false, false, 2, 3, 2, 2, 3, 2), Throws.InstanceOf<ArgumentOutOfRangeException>(), "ldc < n");
        });

        static void Call(float[] buffer, bool transA, bool transB, int m, int n, int k, int lda, int ldb, int ldc)
        {
            fixed (float* p = buffer)
                CpuGemm.Gemm(transA, transB, m, n, k, 1f, p, lda, p, ldb, 0f, p, ldc);
        }
    }

    /// <summary>
    /// One-off throughput measurement (not part of the suite):
    /// <c>tests/RnnGpu.Tests/bin/Release/net10.0/RnnGpu.Tests --filter "FullyQualifiedName~MeasureThroughput" --output Detailed</c>.
    /// </summary>
    [Test, Explicit("measurement, prints GFLOP/s")]
    public void MeasureThroughput()
    {
        foreach (var (m, n, k) in new[] { (128, 128, 128), (512, 512, 512), (1024, 1024, 1024), (64, 2048, 512), (1, 150, 50) })
            foreach (int threads in new[] { 1, 2 })
                Measure<float>(m, n, k, threads);
        Measure<double>(512, 512, 512, 1);
    }

    private static void Measure<T>(int m, int n, int k, int threads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = RandomArray<T>(m * k, 1);
        var b = RandomArray<T>(k * n, 2);
        var c = new T[m * n];
        double flops = 2.0 * m * n * k;
        fixed (T* pa = a, pb = b, pc = c)
        {
            // Warm up (JIT tiers, scratch growth), then five rounds of ~50 ms each; keep the best round.
            for (int i = 0; i < 50; i++) CpuGemm.Gemm(false, false, m, n, k, T.One, pa, k, pb, n, T.Zero, pc, n, threads);
            int reps = (int)Math.Clamp(0.05e9 / flops * 50, 3, 100_000);
            double best = double.MaxValue;
            for (int round = 0; round < 5; round++)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < reps; i++) CpuGemm.Gemm(false, false, m, n, k, T.One, pa, k, pb, n, T.Zero, pc, n, threads);
                best = Math.Min(best, watch.Elapsed.TotalSeconds / reps);
            }
            TestContext.Out.WriteLine($"{typeof(T).Name} {m}x{n}x{k} threads={threads}: {flops / best / 1e9:F1} GFLOP/s ({best * 1e6:F1} µs)");
        }
    }

    [TestCase(false, false, 100, 512, 128, 0, 2)]
    [TestCase(false, true, 100, 128, 512, 3, 2)]
    [TestCase(true, false, 37, 2100, 300, 1, 1)]
    [TestCase(false, true, 64, 2049, 257, 0, 2)]
    [TestCase(false, false, 1, 4096, 1024, 0, 1)]
    [TestCase(false, false, 1, 4099, 1024, 2, 2)]
    [TestCase(true, true, 1, 1030, 2048, 1, 2)]
    [TestCase(false, false, 3, 5, 7, 2, 1)]
    [TestCase(false, false, 13, 100, 70, 1, 1)]
    [TestCase(false, true, 31, 150, 300, 2, 1)]
    public void Prepacked_right_operand_gives_the_same_product(bool transA, bool transB, int m, int n, int k, int pad, int threads)
    {
        Check<float>(transA, transB, m, n, k, pad, 1, 1, threads, seed: m + n + k, prepacked: true);
        Check<double>(transA, transB, m, n, k, pad, -0.5, 0, threads, seed: m + n + k + 1, prepacked: true);
    }

    /// <summary>
    /// Every tile height of the micro-kernel: rows read in place (the per-step products: alpha 1, A not transposed)
    /// are dealt evenly over tiles of 1 to 6 rows, packed rows fill tiles of 6 and end in a short one (m·n·k above
    /// the unpacked small-product path for every m).
    /// </summary>
    [Test]
    public void Every_row_count_gives_the_same_product([Range(2, 20)] int m)
    {
        Check<float>(false, false, m, 100, 400, 1, 1, 1, maxThreads: 1, seed: m, prepacked: true);
        Check<float>(false, false, m, 100, 400, 1, -0.5, 2.5, maxThreads: 1, seed: m + 1, prepacked: true);
        Check<double>(false, false, m, 100, 400, 0, 1, 0, maxThreads: 1, seed: m + 2, prepacked: true);
    }

    private static void Check<T>(bool transA, bool transB, int m, int n, int k, int pad, double alpha, double beta, int maxThreads, int seed, bool prepacked = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k when transposed); each row padded by `pad`.
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        T[] a = RandomArray<T>(aRows * lda, seed);
        T[] b = RandomArray<T>(bRows * ldb, seed + 1);
        T[] c = RandomArray<T>(m * ldc, seed + 2);
        const double sentinel = 12345;
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++) c[i * ldc + j] = T.CreateChecked(sentinel);
        if (beta == 0)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) c[i * ldc + j] = T.NaN; // must not leak into the result
        T[] original = (T[])c.Clone();

        fixed (T* pa = a, pb = b, pc = c)
        {
            if (prepacked)
            {
                using var packed = new CpuPackedMatrix<T>(transB, m, k, n, pb, ldb);
                CpuGemm.GemmPacked(transA, m, k, T.CreateChecked(alpha), pa, lda, packed, T.CreateChecked(beta), pc, ldc, maxThreads);
            }
            else CpuGemm.Gemm(transA, transB, m, n, k, T.CreateChecked(alpha), pa, lda, pb, ldb, T.CreateChecked(beta), pc, ldc, maxThreads);
        }

        double unitRoundoff = typeof(T) == typeof(float) ? Math.Pow(2, -24) : Math.Pow(2, -53);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateChecked(transA ? a[p * lda + i] : a[i * lda + p]);
                    double y = double.CreateChecked(transB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }
                double old = double.CreateChecked(original[i * ldc + j]);
                double expected = alpha * sum + (beta == 0 ? 0 : beta * old);
                double bound = 4 * unitRoundoff * (k + 2) * (Math.Abs(alpha) * magnitude + (beta == 0 ? 0 : Math.Abs(beta * old))) + double.Epsilon;
                double actual = double.CreateChecked(c[i * ldc + j]);
                if (!(Math.Abs(actual - expected) <= bound))
                    Assert.Fail($"C[{i},{j}] = {actual}, expected {expected} ± {bound:G3}");
            }
            for (int j = n; j < ldc; j++)
                if (double.CreateChecked(c[i * ldc + j]) != sentinel)
                    Assert.Fail($"Padding C[{i},{j}] beyond column {n} was overwritten.");
        }
    }

    private static T[] RandomArray<T>(int length, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var data = new T[length];
        for (int i = 0; i < data.Length; i++) data[i] = T.CreateChecked(random.NextDouble() * 2 - 1);
        return data;
    }
}
