using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        if (Vector512.IsHardwareAccelerated) Run512<R>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile);
        else Run256<R>(kc, a, aRow, aDepth, b, c, ldc, beta, cols, tile);
    }

    /// <summary>The kernel with 256-bit vectors, for <typeparamref name="R"/> rows (the JIT drops the other rows' code).</summary>
    private static void Run256<R>(int kc, T* a, nint aRow, nint aDepth, T* b, T* c, int ldc, T beta, int cols, T* tile)
        where R : struct, ITileRows
    {
        int w = Vector256<T>.Count;
        nint o1 = aRow, o2 = 2 * aRow, o3 = 3 * aRow, o4 = 4 * aRow, o5 = 5 * aRow;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = Vector256.Load(b + w);
            Vector256<T> ai = Vector256.Create(a[0]);
            c00 = MulAdd(ai, b0, c00); c01 = MulAdd(ai, b1, c01);
            if (R.Count > 1)
            {
                ai = Vector256.Create(a[o1]);
                c10 = MulAdd(ai, b0, c10); c11 = MulAdd(ai, b1, c11);
            }
            if (R.Count > 2)
            {
                ai = Vector256.Create(a[o2]);
                c20 = MulAdd(ai, b0, c20); c21 = MulAdd(ai, b1, c21);
            }
            if (R.Count > 3)
            {
                ai = Vector256.Create(a[o3]);
                c30 = MulAdd(ai, b0, c30); c31 = MulAdd(ai, b1, c31);
            }
            if (R.Count > 4)
            {
                ai = Vector256.Create(a[o4]);
                c40 = MulAdd(ai, b0, c40); c41 = MulAdd(ai, b1, c41);
            }
            if (R.Count > 5)
            {
                ai = Vector256.Create(a[o5]);
                c50 = MulAdd(ai, b0, c50); c51 = MulAdd(ai, b1, c51);
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

    /// <summary>The same kernel with 512-bit vectors (Columns = 2 × Vector512 count).</summary>
    private static void Run512<R>(int kc, T* a, nint aRow, nint aDepth, T* b, T* c, int ldc, T beta, int cols, T* tile)
        where R : struct, ITileRows
    {
        int w = Vector512<T>.Count;
        nint o1 = aRow, o2 = 2 * aRow, o3 = 3 * aRow, o4 = 4 * aRow, o5 = 5 * aRow;
        Vector512<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = Vector512.Load(b + w);
            Vector512<T> ai = Vector512.Create(a[0]);
            c00 = MulAdd(ai, b0, c00); c01 = MulAdd(ai, b1, c01);
            if (R.Count > 1)
            {
                ai = Vector512.Create(a[o1]);
                c10 = MulAdd(ai, b0, c10); c11 = MulAdd(ai, b1, c11);
            }
            if (R.Count > 2)
            {
                ai = Vector512.Create(a[o2]);
                c20 = MulAdd(ai, b0, c20); c21 = MulAdd(ai, b1, c21);
            }
            if (R.Count > 3)
            {
                ai = Vector512.Create(a[o3]);
                c30 = MulAdd(ai, b0, c30); c31 = MulAdd(ai, b1, c31);
            }
            if (R.Count > 4)
            {
                ai = Vector512.Create(a[o4]);
                c40 = MulAdd(ai, b0, c40); c41 = MulAdd(ai, b1, c41);
            }
            if (R.Count > 5)
            {
                ai = Vector512.Create(a[o5]);
                c50 = MulAdd(ai, b0, c50); c51 = MulAdd(ai, b1, c51);
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

    /// <summary>a·b + c with 512-bit vectors (AVX-512 always has FMA).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<T> MulAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>Merges one 512-bit accumulator row (two vectors) into <paramref name="c"/> according to beta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeRow(T* c, Vector512<T> lo, Vector512<T> hi, T beta)
    {
        int w = Vector512<T>.Count;
        if (beta == T.Zero)
        {
            lo.Store(c);
            hi.Store(c + w);
        }
        else if (beta == T.One)
        {
            (Vector512.Load(c) + lo).Store(c);
            (Vector512.Load(c + w) + hi).Store(c + w);
        }
        else
        {
            Vector512<T> scale = Vector512.Create(beta);
            MulAdd(Vector512.Load(c), scale, lo).Store(c);
            MulAdd(Vector512.Load(c + w), scale, hi).Store(c + w);
        }
    }

    /// <summary>a·b + c, fused when the CPU has FMA (one rounding, twice the throughput of mul + add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<T> MulAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }

    /// <summary>Merges one accumulator row (two vectors) into <paramref name="c"/> according to beta.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MergeRow(T* c, Vector256<T> lo, Vector256<T> hi, T beta)
    {
        int w = Vector256<T>.Count;
        if (beta == T.Zero)
        {
            lo.Store(c);
            hi.Store(c + w);
        }
        else if (beta == T.One)
        {
            (Vector256.Load(c) + lo).Store(c);
            (Vector256.Load(c + w) + hi).Store(c + w);
        }
        else
        {
            Vector256<T> scale = Vector256.Create(beta);
            MulAdd(Vector256.Load(c), scale, lo).Store(c);
            MulAdd(Vector256.Load(c + w), scale, hi).Store(c + w);
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
