using RnnGpu.Backends;

namespace RnnGpu.Cuda;

public sealed unsafe partial class CudaBackend
{
    private const int MaxReduceBlocks = 1024;
    private CudaTensor? _reduceScratch; // MaxReduceBlocks partial doubles, then the result double

    /// <inheritdoc />
    public double Sum(DeviceTensor x)
    {
        var xs = F(x);
        return ReduceRaw(xs.Pointer, xs.Length, squares: false);
    }

    /// <inheritdoc />
    public double SumOfSquares(DeviceTensor x)
    {
        var xs = F(x);
        return ReduceRaw(xs.Pointer, xs.Length, squares: true);
    }

    /// <summary>Σ x (or Σ x²) of a raw float block, accumulated in double on the device in a fixed order; synchronises.</summary>
    internal double ReduceRaw(ulong x, long n, bool squares)
    {
        if (n == 0) return 0;
        _reduceScratch ??= NewTensor([2 * (MaxReduceBlocks + 1)], DType.Float32);
        ulong partial = _reduceScratch.Pointer, result = partial + MaxReduceBlocks * sizeof(double);
        uint blocks = (uint)Math.Min((n + Threads - 1) / Threads, MaxReduceBlocks);

        var first = new KernelArguments(stackalloc ulong[4]);
        first.Pointer(x); first.Long(n); first.Int(squares ? 1 : 0); first.Pointer(partial);
        LaunchBlocks("reduce", "reduce_partial_f32", blocks, Threads, 1, first);

        var second = new KernelArguments(stackalloc ulong[3]);
        second.Pointer(partial); second.Int((int)blocks); second.Pointer(result);
        LaunchBlocks("reduce", "reduce_final_f64", 1, Threads, 1, second);

        double value = 0;
        Fetch(result, new Span<byte>(&value, sizeof(double)));
        return value;
    }
}
