using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The register-blocked micro-kernel of <see cref="CpuGemm"/>: C[Rows×Columns] (op)= Σp Apanel[p]·Bpanel[p] over an
/// A micro-panel (packed <c>kc × Rows</c> with the row index fastest, or read in place from a row-major A) and a
/// packed B micro-panel (<c>kc × Columns</c>, column index fastest). Rows = 6 and Columns = two vectors, so the 12 accumulators, two B vectors and one broadcast A
/// value fit in the 16 AVX2 registers. The vectors are 512-bit where the hardware runs them natively (AVX-512 on
/// Zen 4/5, Ice Lake and later: twice the FMA width on full-width cores), else 256-bit.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal static unsafe class CpuGemmKernel<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Rows of C computed per call (MR).</summary>
    public const int Rows = 6;

    /// <summary>Columns of C computed per call (NR): two vectors.</summary>
    public static int Columns
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.IsHardwareAccelerated ? 2 * Vector512<T>.Count : 2 * Vector256<T>.Count;
    }

    /// <summary>
    /// Multiplies an A micro-panel by a packed B micro-panel and merges the tile into C:
    /// C = acc when beta is 0 (old C, NaNs included, ignored), C += acc when beta is 1, else C = beta·C + acc.
    /// Only the top-left <paramref name="rows"/>×<paramref name="cols"/> part of the tile is written.
    /// </summary>
    /// <param name="kc">Depth of the panels.</param>
    /// <param name="a">
    /// A micro-panel: element (row r, depth p) at <c>a[r·aRow + p·aDepth]</c>: packed (<c>kc × Rows</c>, aRow 1, aDepth
    /// Rows), or rows of a row-major A read in place (aRow = its row stride, aDepth 1). Only the first
    /// <paramref name="rows"/> rows are read.
    /// </param>
    /// <param name="aRow">Distance between rows of the A panel.</param>
    /// <param name="aDepth">Distance between depth steps of the A panel.</param>
    /// <param name="b">Packed B micro-panel, <c>kc × Columns</c>, 32-byte aligned.</param>
    /// <param name="c">Top-left element of the C tile.</param>
    /// <param name="ldc">Row stride of C.</param>
    /// <param name="beta">Scale of the old C.</param>
    /// <param name="rows">Rows of the tile (1..Rows); only these are read and computed.</param>
    /// <param name="cols">Valid columns (1..Columns).</param>
    /// <param name="tile">Scratch of <c>Rows × Columns</c> elements for edge tiles.</param>
    public static void Run(int kc, T* a, nint aRow, nint aDepth, T* b, T* c, int ldc, T beta, int rows, int cols, T* tile)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            // Rows past the valid ones repeat the last valid row: nothing outside A is read, and they are never stored.
            nint o1 = Math.Min(1, rows - 1) * aRow, o2 = Math.Min(2, rows - 1) * aRow, o3 = Math.Min(3, rows - 1) * aRow;
            nint o4 = Math.Min(4, rows - 1) * aRow, o5 = Math.Min(5, rows - 1) * aRow;
            RunScalar(kc, a, [0, o1, o2, o3, o4, o5], aDepth, b, tile);
            MergeTile(tile, c, ldc, beta, rows, cols);
            return;
        }
        // One instance per tile height: a short tile does only its own rows' work. Under the FMA latency a tile of
        // 1-4 rows takes about two thirds of a 6-row tile's time, not all of it.
        switch (rows)
        {
            case 1: RunRows<TileRows1>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile); break;
            case 2: RunRows<TileRows2>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile); break;
            case 3: RunRows<TileRows3>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile); break;
            case 4: RunRows<TileRows4>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile); break;
            case 5: RunRows<TileRows5>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile); break;
            default: RunRows<TileRows6>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RunRows<R>(int kc, T* a, nint aRow, nint aDepth, T* b, T* c, int ldc, T beta, int cols, T* tile)
        where R : struct, ITileRows
    {
        if (Vector512.IsHardwareAccelerated) RunLanes<GemmLanes512<T>, R>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile);
        else RunLanes<GemmLanes256<T>, R>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile);
    }

    /// <summary>
    /// The kernel with registers of <typeparamref name="V"/>, for <typeparamref name="R"/> rows: the JIT compiles one
    /// instance per width and height and drops the other rows' code and registers.
    /// </summary>
    private static void RunLanes<V, R>(int kc, T* a, nint aRow, nint aDepth, T* b, T* c, int ldc, T beta, int cols, T* tile)
        where V : struct, IGemmLanes<V, T>
        where R : struct, ITileRows
    {
        int w = V.Count;
        nint o1 = aRow, o2 = 2 * aRow, o3 = 3 * aRow, o4 = 4 * aRow, o5 = 5 * aRow;
        V c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        V c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            V b0 = V.Load(b);
            V b1 = V.Load(b + w);
            V ai = V.Splat(a[0]);
            c00 = V.MultiplyAdd(ai, b0, c00); c01 = V.MultiplyAdd(ai, b1, c01);
            if (R.Count > 1)
            {
                ai = V.Splat(a[o1]);
                c10 = V.MultiplyAdd(ai, b0, c10); c11 = V.MultiplyAdd(ai, b1, c11);
            }
            if (R.Count > 2)
            {
                ai = V.Splat(a[o2]);
                c20 = V.MultiplyAdd(ai, b0, c20); c21 = V.MultiplyAdd(ai, b1, c21);
            }
            if (R.Count > 3)
            {
                ai = V.Splat(a[o3]);
                c30 = V.MultiplyAdd(ai, b0, c30); c31 = V.MultiplyAdd(ai, b1, c31);
            }
            if (R.Count > 4)
            {
                ai = V.Splat(a[o4]);
                c40 = V.MultiplyAdd(ai, b0, c40); c41 = V.MultiplyAdd(ai, b1, c41);
            }
            if (R.Count > 5)
            {
                ai = V.Splat(a[o5]);
                c50 = V.MultiplyAdd(ai, b0, c50); c51 = V.MultiplyAdd(ai, b1, c51);
            }
            a += aDepth;
            b += 2 * w;
        }

        // Edge columns go through the scratch tile so the full-width path needs no masking.
        bool full = cols == 2 * w;
        T* dst = full ? c : tile;
        int ld = full ? ldc : 2 * w;
        T dstBeta = full ? beta : T.Zero;
        MergeRow(dst, c00, c01, dstBeta);
        if (R.Count > 1) MergeRow(dst + ld, c10, c11, dstBeta);
        if (R.Count > 2) MergeRow(dst + 2 * (nint)ld, c20, c21, dstBeta);
        if (R.Count > 3) MergeRow(dst + 3 * (nint)ld, c30, c31, dstBeta);
        if (R.Count > 4) MergeRow(dst + 4 * (nint)ld, c40, c41, dstBeta);
        if (R.Count > 5) MergeRow(dst + 5 * (nint)ld, c50, c51, dstBeta);
        if (!full) MergeTile(tile, c, ldc, beta, R.Count, cols);
    }

    /// <summary>Merges one accumulator row (two registers) into <paramref name="c"/> according to beta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeRow<V>(T* c, V lo, V hi, T beta) where V : struct, IGemmLanes<V, T>
    {
        int w = V.Count;
        if (beta == T.Zero)
        {
            V.Store(lo, c);
            V.Store(hi, c + w);
        }
        else if (beta == T.One)
        {
            V.Store(V.Load(c) + lo, c);
            V.Store(V.Load(c + w) + hi, c + w);
        }
        else
        {
            V scale = V.Splat(beta);
            V.Store(V.MultiplyAdd(V.Load(c), scale, lo), c);
            V.Store(V.MultiplyAdd(V.Load(c + w), scale, hi), c + w);
        }
    }

    /// <summary>Merges the valid part of a scratch tile (row stride Columns) into C.</summary>
    private static void MergeTile(T* tile, T* c, int ldc, T beta, int rows, int cols)
    {
        int nr = Columns;
        for (int i = 0; i < rows; i++)
        {
            T* src = tile + i * nr;
            T* dst = c + (nint)i * ldc;
            if (beta == T.Zero)
                for (int j = 0; j < cols; j++) dst[j] = src[j];
            else if (beta == T.One)
                for (int j = 0; j < cols; j++) dst[j] += src[j];
            else
                for (int j = 0; j < cols; j++) dst[j] = beta * dst[j] + src[j];
        }
    }

    /// <summary>Portable fallback: the same product with scalar arithmetic, written to the tile.</summary>
    private static void RunScalar(int kc, T* a, ReadOnlySpan<nint> rowOffsets, nint aDepth, T* b, T* tile)
    {
        int nr = Columns;
        new Span<T>(tile, Rows * nr).Clear();
        for (int p = 0; p < kc; p++, a += aDepth, b += nr)
            for (int i = 0; i < Rows; i++)
            {
                T ai = a[rowOffsets[i]];
                T* row = tile + i * nr;
                for (int j = 0; j < nr; j++) row[j] += ai * b[j];
            }
    }
}
