using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The unpacked path of <see cref="CpuGemm"/> for products too small to repay packing, and for single-row
/// products (a vector times a matrix), where every element of B is used exactly once so packing it only adds a copy.
/// </summary>
internal static unsafe class CpuGemmSmall
{
    /// <summary>Multiply-adds below which packing costs more than it saves.</summary>
    private const long MaxWork = 1 << 16;

    /// <summary>True when <see cref="Multiply{T}"/> is the faster way to compute the product.</summary>
    public static bool Applies(int m, int n, int k) => m == 1 || (long)m * n * k <= MaxWork;

    /// <summary>Multiply-adds of a single-row product above which its columns are split across threads.</summary>
    private const long MinParallelRowWork = 1 << 20;

    /// <summary>Columns per thread chunk of a split single-row product (a multiple of every vector width).</summary>
    private const int ColumnChunk = 256;

    /// <summary>
    /// Same contract as <see cref="CpuGemm.Gemm{T}"/> for k &gt; 0. A large single-row product (batch-1 recurrent steps)
    /// streams all of B once and is bound by memory bandwidth, so its columns (of op(B)) are split across up to
    /// <paramref name="maxThreads"/> threads; everything else runs on the calling thread.
    /// </summary>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, int maxThreads = 1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int threads = maxThreads <= 0 ? Environment.ProcessorCount : maxThreads;
        if (m == 1 && threads > 1 && (long)n * k >= MinParallelRowWork && n >= 2 * ColumnChunk)
        {
            int chunks = (n + ColumnChunk - 1) / ColumnChunk;
            int parts = Math.Min(threads, chunks);
            nint pa = (nint)a, pb = (nint)b, pc = (nint)c;
            CpuWorkerPool.For(parts, part =>
            {
                int j0 = (int)((long)chunks * part / parts) * ColumnChunk;
                int j1 = Math.Min(n, (int)((long)chunks * (part + 1) / parts) * ColumnChunk);
                // Columns j0..j1 of op(B): a column offset in B, or a row offset when B is stored transposed.
                T* sb = (T*)pb + (transB ? (nint)j0 * ldb : j0);
                if (transB) RowDotRows(transA, 1, j1 - j0, k, alpha, (T*)pa, lda, sb, ldb, beta, (T*)pc + j0, ldc);
                else RowAxpys(transA, 1, j1 - j0, k, alpha, (T*)pa, lda, sb, ldb, beta, (T*)pc + j0, ldc);
            });
            return;
        }
        if (transB)
            RowDotRows(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else
            RowAxpys(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>
    /// B is k×n: each row of C accumulates alpha·A[i,p]·B[p,:] over p, streaming contiguous rows of B, four rows of B
    /// per pass over the row of C (one pass per row of B would load and store C once per multiply-add).
    /// </summary>
    private static void RowAxpys<T>(bool transA, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            T* row = c + (nint)i * ldc;
            ScaleRow(row, n, beta);
            T Scale(int p) => alpha * (transA ? a[(nint)p * lda + i] : a[(nint)i * lda + p]);
            int p = 0;
            for (; p <= k - 4; p += 4) AddScaled4(row, b + (nint)p * ldb, ldb, Scale(p), Scale(p + 1), Scale(p + 2), Scale(p + 3), n);
            for (; p < k; p++) AddScaled(row, b + (nint)p * ldb, Scale(p), n);
        }
    }

    /// <summary>
    /// row[0..n) += s0·b[0, :] + s1·b[1, :] + s2·b[2, :] + s3·b[3, :] (rows of b <paramref name="ldb"/> apart), added one
    /// after another exactly as four <see cref="AddScaled"/> calls would, but with the row loaded and stored once.
    /// </summary>
    private static void AddScaled4<T>(T* row, T* b, nint ldb, T s0, T s1, T s2, T s3, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated) j = AddScaled4Lanes<T, GemmLanes512<T>>(row, b, ldb, s0, s1, s2, s3, n, j);
        if (Vector256.IsHardwareAccelerated) j = AddScaled4Lanes<T, GemmLanes256<T>>(row, b, ldb, s0, s1, s2, s3, n, j);
        for (; j < n; j++)
        {
            row[j] += s0 * b[j];
            row[j] += s1 * b[ldb + j];
            row[j] += s2 * b[2 * ldb + j];
            row[j] += s3 * b[3 * ldb + j];
        }
    }

    /// <summary>The whole registers of <see cref="AddScaled4{T}"/> from column <paramref name="j"/> on; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AddScaled4Lanes<T, V>(T* row, T* b, nint ldb, T s0, T s1, T s2, T s3, int n, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
        where V : struct, IGemmLanes<V, T>
    {
        V v0 = V.Splat(s0), v1 = V.Splat(s1), v2 = V.Splat(s2), v3 = V.Splat(s3);
        for (; j <= n - V.Count; j += V.Count)
        {
            V acc = V.MultiplyAdd(v0, V.Load(b + j), V.Load(row + j));
            acc = V.MultiplyAdd(v1, V.Load(b + ldb + j), acc);
            acc = V.MultiplyAdd(v2, V.Load(b + 2 * ldb + j), acc);
            V.Store(V.MultiplyAdd(v3, V.Load(b + 3 * ldb + j), acc), row + j);
        }
        return j;
    }

    /// <summary>B is n×k: every element of C is a dot product of a row of op(A) with a row of B.</summary>
    private static void RowDotRows<T>(bool transA, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A transposed row of op(A) is strided; gather it once into scratch so the dot products read contiguously.
        T* gathered = transA ? CpuGemmScratch<T>.ForCurrentThread.PackedA((nuint)k) : null;
        for (int i = 0; i < m; i++)
        {
            T* aRow = a + (nint)i * lda;
            if (transA)
            {
                for (int p = 0; p < k; p++) gathered[p] = a[(nint)p * lda + i];
                aRow = gathered;
            }
            var x = new ReadOnlySpan<T>(aRow, k);
            T* row = c + (nint)i * ldc;
            for (int j = 0; j < n; j++)
            {
                T dot = alpha * TensorPrimitives.Dot(x, new ReadOnlySpan<T>(b + (nint)j * ldb, k));
                row[j] = beta == T.Zero ? dot : beta * row[j] + dot;
            }
        }
    }

    /// <summary>row[0..n) += scale·source[0..n).</summary>
    private static void AddScaled<T>(T* row, T* source, T scale, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated) j = AddScaledLanes<T, GemmLanes512<T>>(row, source, scale, n, j);
        if (Vector256.IsHardwareAccelerated) j = AddScaledLanes<T, GemmLanes256<T>>(row, source, scale, n, j);
        for (; j < n; j++) row[j] += scale * source[j];
    }

    /// <summary>The whole registers of <see cref="AddScaled{T}"/> from column <paramref name="j"/> on; returns the first column left.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int AddScaledLanes<T, V>(T* row, T* source, T scale, int n, int j)
        where T : unmanaged, IFloatingPointIeee754<T>
        where V : struct, IGemmLanes<V, T>
    {
        V s = V.Splat(scale);
        for (; j <= n - V.Count; j += V.Count) V.Store(V.MultiplyAdd(s, V.Load(source + j), V.Load(row + j)), row + j);
        return j;
    }

    /// <summary>row = beta·row; beta == 0 clears without reading (NaNs are not propagated).</summary>
    private static void ScaleRow<T>(T* row, int n, T beta)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var span = new Span<T>(row, n);
        if (beta == T.Zero) span.Clear();
        else if (beta != T.One) TensorPrimitives.Multiply(span, beta, span);
    }
}
