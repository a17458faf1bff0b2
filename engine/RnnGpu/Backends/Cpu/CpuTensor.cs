using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// A CPU backend tensor over a pinned managed array (pinned so kernels can use raw pointers and the GEMM can
/// run over strided slices without copies; managed so a tensor nobody disposed is still reclaimed by the GC).
/// </summary>
internal sealed unsafe class CpuTensor<TElement> : DeviceTensor where TElement : unmanaged
{
    private readonly CpuMemoryPool<TElement>? _pool;

    internal CpuTensor(IBackend backend, int[] shape, DType type, TElement[] array, CpuMemoryPool<TElement>? pool, int offset = 0)
        : base(backend, shape, type)
    {
        Array = array;
        _pool = pool;
        Offset = offset;
    }

    /// <summary>Index of the first element in <see cref="Array"/> (non-zero for windows such as a bias row).</summary>
    internal int Offset { get; }

    /// <summary>The storage; may be longer than <see cref="DeviceTensor.Length"/> (pooled size classes).</summary>
    internal TElement[] Array { get; }

    /// <summary>Address of the first element (valid for the array's lifetime because it is pinned).</summary>
    internal TElement* Pointer => (TElement*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(Array)) + Offset;

    /// <summary>The elements as a span of exactly <see cref="DeviceTensor.Length"/>.</summary>
    internal Span<TElement> Span => Array.AsSpan(Offset, Length);

    /// <inheritdoc />
    protected override void Release() => _pool?.Return(Array);
}

/// <summary>
/// Reuses pinned arrays by exact length: a training step allocates the same shapes every iteration, so after
/// the first step no allocation reaches the GC.
/// </summary>
internal sealed class CpuMemoryPool<TElement> where TElement : unmanaged
{
    private readonly Dictionary<int, Stack<TElement[]>> _free = new();
    private readonly Lock _lock = new();

    /// <summary>A pinned array of exactly <paramref name="length"/> elements, zero-filled unless the caller overwrites all of it anyway.</summary>
    public TElement[] Rent(int length, bool zeroed = true)
    {
        lock (_lock)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                var array = stack.Pop();
                if (zeroed) System.Array.Clear(array);
                return array;
            }
        }
        return GC.AllocateArray<TElement>(length, pinned: true);
    }

    /// <summary>
    /// A pinned array with room for <paramref name="length"/> elements from a 64-byte boundary, and the index of that
    /// element. Threads that split a buffer by blocks of columns (<see cref="RecurrentUnitSplit"/>) then never write
    /// into the same cache line, as long as the blocks are whole lines apart: a line shared by two cores' writes moves
    /// between them at every write (measured: a batch-16 GRU(128) step took twice as long with unaligned buffers).
    /// </summary>
    public unsafe (TElement[] Array, int Offset) RentAligned(int length, bool zeroed = true)
    {
        int lineElements = CacheLine / sizeof(TElement);
        var array = Rent(length + lineElements, zeroed);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        int offset = (int)((CacheLine - (address & (CacheLine - 1))) & (CacheLine - 1)) / sizeof(TElement);
        return (array, offset);
    }

    /// <summary>Bytes in a cache line (x64 and arm64).</summary>
    private const int CacheLine = 64;

    /// <summary>Makes an array available again.</summary>
    public void Return(TElement[] array)
    {
        lock (_lock)
        {
            if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<TElement[]>();
            stack.Push(array);
        }
    }

    /// <summary>Drops every cached array.</summary>
    public void Clear()
    {
        lock (_lock) _free.Clear();
    }
}
