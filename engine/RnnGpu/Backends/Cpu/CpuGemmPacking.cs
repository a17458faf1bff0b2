using System.Numerics;
using System.Runtime.Intrinsics;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// Copies blocks of op(A) and op(B) into the contiguous, zero-padded micro-panel layout the
/// <see cref="CpuGemmKernel{T}"/> streams through, whatever the transposition and row strides of the operands.
/// Zero padding lets the kernel always compute whole tiles; only the store is trimmed.
/// </summary>
/// <typeparam name="T">float or double.</typeparam>
internal static unsafe class CpuGemmPacking<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Packs rows <paramref name="i0"/>.. and depth <paramref name="p0"/>.. of op(A), scaled by alpha, as
    /// ⌈mc/Rows⌉ micro-panels of <c>kc × Rows</c> (row index fastest).
    /// </summary>
    public static void PackA(bool transA, T* a, int lda, int i0, int p0, int mc, int kc, T alpha, T* dst)
    {
        const int mr = CpuGemmKernel<T>.Rows;
        for (int r0 = 0; r0 < mc; r0 += mr, dst += (nint)mr * kc)
        {
            T* origin = transA ? a + (nint)p0 * lda + i0 + r0 : a + (nint)(i0 + r0) * lda + p0;
            PackAPanel(transA, origin, lda, Math.Min(mr, mc - r0), kc, alpha, dst);
        }
    }

    /// <summary>
    /// One micro-panel of A: <paramref name="rows"/> (≤ Rows) rows of depth <paramref name="kc"/> from
    /// <paramref name="a"/>, scaled by alpha, zero rows after them. A method of its own, with no call inside its
    /// loops: with a call in the loop nest the JIT, without profile data, spilled alpha to the stack on every
    /// element, which halved the speed of small GEMMs.
    /// </summary>
    private static void PackAPanel(bool transA, T* a, int lda, int rows, int kc, T alpha, T* dst)
    {
        const int mr = CpuGemmKernel<T>.Rows;
        if (rows == mr)
        {
            // A whole panel (all but the last): one depth step per iteration, its six elements (Rows is 6, spelled out
            // like the kernel's accumulators) written in one run. Without an inner loop of variable length this
            // packs twice as fast, and the stores stay sequential whichever way A is stored.
            nint rowStep = transA ? 1 : lda, depthStep = transA ? lda : 1;
            for (int p = 0; p < kc; p++, a += depthStep, dst += mr)
            {
                dst[0] = alpha * a[0];
                dst[1] = alpha * a[rowStep];
                dst[2] = alpha * a[2 * rowStep];
                dst[3] = alpha * a[3 * rowStep];
                dst[4] = alpha * a[4 * rowStep];
                dst[5] = alpha * a[5 * rowStep];
            }
            return;
        }
        if (transA)
        {
            // A is stored k×m: each depth step reads `rows` contiguous elements.
            for (int p = 0; p < kc; p++)
            {
                T* src = a + (nint)p * lda;
                T* d = dst + p * mr;
                int r = 0;
                for (; r < rows; r++) d[r] = alpha * src[r];
                for (; r < mr; r++) d[r] = T.Zero;
            }
            return;
        }
        // A is stored m×k: walk each row contiguously, scattering with stride Rows.
        for (int r = 0; r < mr; r++)
        {
            T* d = dst + r;
            if (r >= rows)
            {
                for (int p = 0; p < kc; p++) d[p * mr] = T.Zero;
                continue;
            }
            T* src = a + (nint)r * lda;
            for (int p = 0; p < kc; p++) d[p * mr] = alpha * src[p];
        }
    }

    /// <summary>
    /// Packs depth <paramref name="p0"/>.. and columns <paramref name="j0"/>.. of op(B) as
    /// ⌈nc/Columns⌉ micro-panels of <c>kc × Columns</c> (column index fastest).
    /// </summary>
    public static void PackB(bool transB, T* b, int ldb, int p0, int j0, int kc, int nc, T* dst)
    {
        int nr = CpuGemmKernel<T>.Columns;
        for (int c0 = 0; c0 < nc; c0 += nr, dst += (nint)nr * kc)
        {
            int cols = Math.Min(nr, nc - c0);
            if (transB)
            {
                // B is stored n×k: walk each of its rows (a column of op(B)) contiguously.
                if (cols < nr) new Span<T>(dst, nr * kc).Clear();
                for (int j = 0; j < cols; j++)
                {
                    T* src = b + (nint)(j0 + c0 + j) * ldb + p0;
                    T* d = dst + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = src[p];
                }
            }
            else if (cols == nr && Vector256.IsHardwareAccelerated)
            {
                // The common case: each depth step is one contiguous run of nr elements.
                int w = Vector256<T>.Count;
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (nint)(p0 + p) * ldb + j0 + c0;
                    T* d = dst + p * nr;
                    for (int v = 0; v < nr; v += w) Vector256.Load(src + v).Store(d + v);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    T* src = b + (nint)(p0 + p) * ldb + j0 + c0;
                    T* d = dst + p * nr;
                    int j = 0;
                    for (; j < cols; j++) d[j] = src[j];
                    for (; j < nr; j++) d[j] = T.Zero;
                }
            }
        }
    }
}
