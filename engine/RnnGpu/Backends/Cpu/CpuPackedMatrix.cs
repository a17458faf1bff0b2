using System.Numerics;
using System.Runtime.InteropServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The right-hand operand op(B) [k×n] of <see cref="CpuGemm.GemmPacked{T}"/>, packed once into the micro-kernel's panel
/// layout, block by block exactly as <see cref="CpuGemm"/> packs it per call. Lives in native memory (64-byte aligned,
/// freed on dispose), so a per-layer pack costs no garbage collection.
/// </summary>
internal sealed unsafe class CpuPackedMatrix<T> : IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    private T* _data;
    private readonly nint[] _offsets;
    private readonly int _depthBlocks;

    /// <summary>
    /// Packs op(B) where B is k×n with row stride <paramref name="ldb"/>, or n×k when <paramref name="transposed"/>, for
    /// products with <paramref name="rows"/> rows of A. Products the unpacked path handles better (a single row of A, tiny
    /// products) never read the packed copy, so then nothing is packed.
    /// </summary>
    public CpuPackedMatrix(bool transposed, int rows, int k, int n, T* b, int ldb)
    {
        Transposed = transposed;
        Depth = k;
        Columns = n;
        Source = b;
        SourceStride = ldb;
        IsPacked = rows > 0 && n > 0 && k > 0 && !CpuGemmSmall.Applies(rows, n, k);
        if (!IsPacked)
        {
            _offsets = [];
            return;
        }
        int nr = CpuGemmKernel<T>.Columns;
        _depthBlocks = (k + CpuGemm.PackDepthBlock - 1) / CpuGemm.PackDepthBlock;
        int columnBlocks = (n + CpuGemm.PackColumnBlock - 1) / CpuGemm.PackColumnBlock;
        _offsets = new nint[Math.Max(1, columnBlocks * _depthBlocks)];
        nint total = 0;
        for (int jb = 0; jb < columnBlocks; jb++)
        {
            int nc = Math.Min(CpuGemm.PackColumnBlock, n - jb * CpuGemm.PackColumnBlock);
            for (int pb = 0; pb < _depthBlocks; pb++)
            {
                int kc = Math.Min(CpuGemm.PackDepthBlock, k - pb * CpuGemm.PackDepthBlock);
                _offsets[jb * _depthBlocks + pb] = total;
                total += (nint)((nc + nr - 1) / nr * nr) * kc;
            }
        }
        _data = (T*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, total) * (nuint)sizeof(T), 64);
        for (int jb = 0; jb < columnBlocks; jb++)
            for (int pb = 0; pb < _depthBlocks; pb++)
            {
                int jc = jb * CpuGemm.PackColumnBlock, pc = pb * CpuGemm.PackDepthBlock;
                CpuGemmPacking<T>.PackB(transposed, b, ldb, pc, jc, Math.Min(CpuGemm.PackDepthBlock, k - pc), Math.Min(CpuGemm.PackColumnBlock, n - jc), _data + _offsets[jb * _depthBlocks + pb]);
            }
    }

    /// <summary>False when the products this was made for take the unpacked path (see the constructor).</summary>
    public bool IsPacked { get; }

    /// <summary>Whether B is stored n×k.</summary>
    public bool Transposed { get; }

    /// <summary>k: rows of op(B).</summary>
    public int Depth { get; }

    /// <summary>n: columns of op(B).</summary>
    public int Columns { get; }

    /// <summary>The unpacked B (for the paths that do not pack).</summary>
    public T* Source { get; }

    /// <summary>Row stride of <see cref="Source"/>.</summary>
    public int SourceStride { get; }

    /// <summary>The packed block that starts at column <paramref name="jc"/> and depth <paramref name="pc"/>.</summary>
    public T* Block(int jc, int pc) => _data + _offsets[jc / CpuGemm.PackColumnBlock * _depthBlocks + pc / CpuGemm.PackDepthBlock];

    /// <inheritdoc />
    public void Dispose()
    {
        if (_data is null) return;
        NativeMemory.AlignedFree(_data);
        _data = null;
    }
}
