using System.Runtime.InteropServices;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Bench.Gemm;

/// <summary>
/// One <see cref="GemmShape"/> through our CPU GEMM (<c>CpuGemm.Gemm</c>, float32) on native buffers allocated once;
/// for a per-step product also with B packed once, as the engine's time loops run it (<c>CpuGemm.GemmPacked</c>).
/// </summary>
public sealed unsafe class OursGemm : IDisposable
{
    private readonly GemmShape _shape;
    private readonly int _threads;
    private readonly CpuPackedMatrix<float>? _packed;
    private float* _a, _b, _c;

    /// <summary>Allocates the operands (uniform ±0.5, fixed seed) and the product, 64-byte aligned.</summary>
    public OursGemm(GemmShape shape, int threads, int seed = 1)
    {
        _shape = shape;
        _threads = threads;
        var random = new Random(seed);
        _a = Allocate((long)shape.M * shape.K, random);
        _b = Allocate((long)shape.K * shape.N, random);
        _c = Allocate((long)shape.M * shape.N, random);
        if (shape.PerStep) _packed = new CpuPackedMatrix<float>(shape.TransB, shape.M, shape.K, shape.N, _b, shape.TransB ? shape.K : shape.N);
    }

    /// <summary>C = op(A)·op(B) on up to the given threads.</summary>
    public void Run()
    {
        var s = _shape;
        CpuGemm.Gemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, _a, s.TransA ? s.M : s.K, _b, s.TransB ? s.K : s.N, 0f, _c, s.N, _threads);
    }

    /// <summary>The same product with B packed once (null unless the shape is a per-step one).</summary>
    public Action? RunPacked => _packed is null ? null : () =>
    {
        var s = _shape;
        CpuGemm.GemmPacked(s.TransA, s.M, s.K, 1f, _a, s.TransA ? s.M : s.K, _packed, 0f, _c, s.N, _threads);
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _packed?.Dispose();
        NativeMemory.AlignedFree(_a);
        NativeMemory.AlignedFree(_b);
        NativeMemory.AlignedFree(_c);
        _a = _b = _c = null;
    }

    private static float* Allocate(long count, Random random)
    {
        var p = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
        for (long i = 0; i < count; i++) p[i] = (float)random.NextDouble() - 0.5f;
        return p;
    }
}
