using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Cuda;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// Shared plumbing of the GPU suite: a <see cref="CudaBackend"/> and the reference <see cref="CpuBackend{T}"/>, random
/// tensors uploaded to both, and comparisons with a stated tolerance |gpu - cpu| ≤ abs + rel·|cpu|.
/// Skipped, with the reason, where no CUDA device can be used.
/// </summary>
[Category("Gpu")]
public abstract class GpuTestBase
{
    /// <summary>Tolerance of single operations: relative 1e-4, absolute 1e-5 (float32, different summation orders).</summary>
    protected const double Rel = 1e-4, Abs = 1e-5;

    private static int _described;

    protected IBackend Gpu = null!;
    protected IBackend Cpu = null!;
    protected Random Rng = null!;

    [OneTimeSetUp]
    public void CreateBackends()
    {
        if (!CudaRuntime.TryCreate(0, out var gpu, out var reason))
            Assert.Ignore("No usable CUDA device, GPU comparison skipped: " + reason);
        Gpu = gpu!;
        if (Interlocked.Exchange(ref _described, 1) == 0) TestContext.Progress.WriteLine(CudaRuntime.Describe());
        Cpu = new CpuBackend<float>();
        TestContext.Progress.WriteLine($"GPU suite on {Gpu.Name}, kernels for {gpu!.KernelTarget}, TF32 {(gpu.AllowsTf32 ? "on" : "off")}");
    }

    [OneTimeTearDown]
    public void DisposeBackends()
    {
        (Gpu as IDisposable)?.Dispose();
        Cpu?.Dispose();
    }

    /// <summary>
    /// Seeds each test's data from its name with FNV-1a: string.GetHashCode is randomised per process, and a failure
    /// must come back with the same data on the next run.
    /// </summary>
    [SetUp]
    public void Seed()
    {
        uint hash = 2166136261;
        foreach (char c in TestContext.CurrentContext.Test.FullName) hash = (hash ^ c) * 16777619;
        Rng = new Random((int)(hash & 0x7fffffff));
    }

    protected float[] Random(int length, double scale = 1.0, double offset = 0.0)
    {
        var data = new float[length];
        for (int i = 0; i < length; i++) data[i] = (float)(offset + scale * (2 * Rng.NextDouble() - 1));
        return data;
    }

    /// <summary>The same data on both backends.</summary>
    protected (DeviceTensor G, DeviceTensor C) Pair(float[] data, params int[] shape) => (Gpu.Upload(data, shape), Cpu.Upload(data, shape));

    protected (DeviceTensor G, DeviceTensor C) RandomPair(params int[] shape) => Pair(Random(ShapeUtil.Size(shape)), shape);

    protected (DeviceTensor G, DeviceTensor C) IndexPair(int[] data, params int[] shape) => (Gpu.UploadIndices(data, shape), Cpu.UploadIndices(data, shape));

    protected static float[] Read(IBackend backend, DeviceTensor t)
    {
        var data = new float[t.Length];
        backend.Download(t, data);
        return data;
    }

    /// <summary>Asserts the GPU tensor matches the CPU tensor element by element.</summary>
    protected void AssertClose(string what, (DeviceTensor G, DeviceTensor C) pair, double rel = Rel, double abs = Abs) =>
        AssertClose(what, Read(Gpu, pair.G), Read(Cpu, pair.C), rel, abs);

    protected static void AssertClose(string what, float[] gpu, float[] cpu, double rel = Rel, double abs = Abs)
    {
        Assert.That(gpu, Has.Length.EqualTo(cpu.Length), what);
        int bad = 0;
        string first = "";
        double worst = 0;
        for (int i = 0; i < cpu.Length; i++)
        {
            double err = Math.Abs((double)gpu[i] - cpu[i]);
            double allowed = abs + rel * Math.Abs(cpu[i]);
            if (!(err <= allowed))
            {
                if (bad++ == 0) first = $"[{i}] gpu {gpu[i]:R} cpu {cpu[i]:R}";
                worst = Math.Max(worst, err / allowed);
            }
        }
        Assert.That(bad, Is.Zero, $"{what}: {bad} of {cpu.Length} elements differ beyond {abs:G2} + {rel:G2}·|cpu| (first {first}, worst {worst:F1}× the tolerance)");
    }

    protected static void AssertClose(string what, double gpu, double cpu, double rel = Rel, double abs = Abs) =>
        Assert.That(Math.Abs(gpu - cpu), Is.LessThanOrEqualTo(abs + rel * Math.Abs(cpu)), $"{what}: gpu {gpu:R} cpu {cpu:R}");
}
