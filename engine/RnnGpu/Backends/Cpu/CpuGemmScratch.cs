using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// One thread's packing buffers for <see cref="CpuGemm"/>: a packed block of A, a packed panel of B, a
/// micro-tile used for edge tiles and the partial products of depth-split calls. Buffers are 64-byte aligned native memory, grow on demand and are reused,
/// so steady-state GEMM calls allocate nothing.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
internal sealed unsafe class CpuGemmScratch<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private const nuint Alignment = 64;

    [ThreadStatic] private static CpuGemmScratch<T>? s_current;

    private T* _packedA;
    private T* _packedB;
    private T* _tile;
    private T* _partials;
    private nuint _packedALength;
    private nuint _packedBLength;
    private nuint _partialsLength;

    private CpuGemmScratch()
    {
        _tile = Allocate((nuint)(CpuGemmKernel<T>.Rows * CpuGemmKernel<T>.Columns));
    }

    /// <summary>Frees the native buffers when the owning thread has gone away.</summary>
    ~CpuGemmScratch()
    {
        NativeMemory.AlignedFree(_packedA);
        NativeMemory.AlignedFree(_packedB);
        NativeMemory.AlignedFree(_tile);
        NativeMemory.AlignedFree(_partials);
    }

    /// <summary>The calling thread's scratch (created on first use).</summary>
    public static CpuGemmScratch<T> ForCurrentThread => s_current ??= new CpuGemmScratch<T>();

    /// <summary>A micro-tile buffer of <c>Rows × Columns</c> elements.</summary>
    public T* Tile => _tile;

    /// <summary>A buffer of at least <paramref name="length"/> elements for a packed block of A.</summary>
    public T* PackedA(nuint length) => Ensure(ref _packedA, ref _packedALength, length);

    /// <summary>A buffer of at least <paramref name="length"/> elements for a packed panel of B.</summary>
    public T* PackedB(nuint length) => Ensure(ref _packedB, ref _packedBLength, length);

    /// <summary>
    /// A buffer of at least <paramref name="length"/> elements for the partial products of a depth-split GEMM that this
    /// thread called (the threads that help it write there too, each to its own slice).
    /// </summary>
    public T* Partials(nuint length) => Ensure(ref _partials, ref _partialsLength, length);

    private static T* Ensure(ref T* buffer, ref nuint capacity, nuint length)
    {
        if (length > capacity)
        {
            NativeMemory.AlignedFree(buffer);
            buffer = null;
            capacity = 0;
            buffer = Allocate(length);
            capacity = length;
        }
        return buffer;
    }

    private static T* Allocate(nuint length) =>
        (T*)NativeMemory.AlignedAlloc(Math.Max(length, 1) * (nuint)sizeof(T), Alignment);
}
