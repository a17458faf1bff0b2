using System.Numerics;

namespace RnnGpu.Backends.Cpu;

/// <summary>Row-major GEMM (placeholder; replaced by the blocked, multithreaded kernel).</summary>
internal static unsafe class CpuGemm
{
    /// <summary>C[m×n] = alpha·op(A)·op(B) + beta·C, row-major, with row strides.</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc, int maxThreads = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            T sum = T.Zero;
            for (int p = 0; p < k; p++)
                sum += (transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = beta == T.Zero ? alpha * sum : alpha * sum + beta * c[i * ldc + j];
        }
    }
}
