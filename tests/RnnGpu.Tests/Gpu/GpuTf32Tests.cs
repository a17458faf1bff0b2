using RnnGpu.Backends;
using RnnGpu.Cuda;
using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Gpu;

/// <summary>
/// The opt-in TF32 mode (<c>Device.Gpu(allowTf32: true)</c>): cuBLAS may round float32 GEMM operands to TF32 (10
/// mantissa bits) on tensor cores, so results are checked against the CPU with a bound derived from that rounding rather
/// than the float32 tolerances of the rest of the GPU suite. Skipped with the reason where no CUDA device is usable.
/// </summary>
[Category("Gpu")]
public class GpuTf32Tests
{
    /// <summary>
    /// Relative error of one product of two operands each rounded to TF32: at most 2⁻¹⁰ per operand (truncation; rounding
    /// to nearest halves it), so (1 + 2⁻¹⁰)² − 1 &lt; 2⁻⁹ for the product. Accumulation stays float32.
    /// </summary>
    private const double ProductError = 1.0 / 512;

    private CudaBackend _gpu = null!;

    [OneTimeSetUp]
    public void FindGpu()
    {
        if (!CudaRuntime.TryCreate(0, out var gpu, out string reason, allowTf32: true))
            Assert.Ignore("No usable CUDA device, TF32 tests skipped: " + reason);
        _gpu = gpu!;
        TestContext.Progress.WriteLine($"TF32 tests on {_gpu.Name}");
    }

    [OneTimeTearDown]
    public void Release() => _gpu?.Dispose();

    [Test]
    public void The_backend_says_it_runs_tf32()
    {
        Assert.That(_gpu.AllowsTf32, Is.True);
        Assert.That(_gpu.Name, Does.Contain("TF32"), "the name users see in summaries and benchmark reports");
    }

    [TestCase(64, 96, 80)]
    [TestCase(256, 512, 1000)]
    public void Gemm_stays_within_tf32_rounding_of_the_cpu(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        float[] a = Values(random, m * k), b = Values(random, k * n);
        using var cpu = new CpuBackend<float>();
        float[] expected = Product(cpu, a, b, m, n, k), actual = Product(_gpu, a, b, m, n, k);

        double worst = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                // The bound scales with Σ|a||b|, not with |c|: cancellation may leave c small.
                double magnitude = 0;
                for (int p = 0; p < k; p++) magnitude += Math.Abs(a[i * k + p] * b[p * n + j]);
                double error = Math.Abs(actual[i * n + j] - expected[i * n + j]);
                Assert.That(error, Is.LessThanOrEqualTo(ProductError * magnitude + 1e-5), $"C[{i},{j}] of {m}×{n}×{k}");
                worst = Math.Max(worst, error / magnitude);
            }
        // On tensor cores this is around 1e-4; without them (cuBLAS may choose not to) around 1e-7.
        TestContext.Out.WriteLine($"{m}×{n}×{k}: largest |gpu − cpu| / Σ|a·b| = {worst:E2}");
    }

    [Test]
    public void An_lstm_classifier_trains_in_tf32_close_to_the_cpu()
    {
        var random = new Random(5);
        var x = TestData.Uniform(random, 1, 64, 20, 8);
        var y = TestData.Labels([.. Enumerable.Range(0, 64).Select(i => i % 4)], 64);
        Sequential Make(IBackend backend)
        {
            var model = new Sequential(new Lstm(64, inputShape: [20, 8]), new Dense(4, ActivationKind.Softmax));
            model.UseBackend(backend, seed: 1);
            model.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy());
            return model;
        }
        using var cpuBackend = new CpuBackend<float>();
        var cpu = Make(cpuBackend);
        var gpu = Make(_gpu);
        gpu.SetWeights(cpu.GetWeights());

        // TF32 rounding is about 1e-3 relative per GEMM: outputs agree to a few 1e-3, and training still learns alike.
        Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(5e-3));
        var hc = cpu.Fit(x, y, epochs: 8, batchSize: 16, shuffle: false, verbose: 0);
        var hg = gpu.Fit(x, y, epochs: 8, batchSize: 16, shuffle: false, verbose: 0);
        TestContext.Out.WriteLine($"loss CPU {hc["loss"][0]:F5} → {hc["loss"][^1]:F5}, GPU TF32 {hg["loss"][0]:F5} → {hg["loss"][^1]:F5}");
        Assert.That(hg["loss"][^1], Is.LessThan(0.8 * hg["loss"][0]), "it learns");
        Assert.That(hg["loss"], Is.EqualTo(hc["loss"]).Within(5).Percent);
    }

    private static float[] Values(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (float)(2 * random.NextDouble() - 1))];

    private static float[] Product(IBackend backend, float[] a, float[] b, int m, int n, int k)
    {
        using var ta = backend.Upload(a, [m, k]);
        using var tb = backend.Upload(b, [k, n]);
        using var tc = backend.Allocate(m, n);
        backend.Gemm(ta, false, tb, false, tc, 1.0, 0.0);
        var c = new float[m * n];
        backend.Download(tc, c);
        return c;
    }
}
