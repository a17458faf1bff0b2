using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGpu.Cuda.Interop;

/// <summary>Raw bindings to cuBLAS (libcublas.so.13/.12/.11), bound by the exported <c>_v2</c> names.</summary>
internal static unsafe partial class Cublas
{
    static Cublas() => NativeLibraries.EnsureResolver();

    private const string Lib = NativeLibraries.CublasName;

    /// <summary>cublasOperation_t CUBLAS_OP_N.</summary>
    public const int OpN = 0;
    /// <summary>cublasOperation_t CUBLAS_OP_T.</summary>
    public const int OpT = 1;
    /// <summary>cublasMath_t CUBLAS_DEFAULT_MATH: no TF32 for FP32 GEMMs.</summary>
    public const int DefaultMath = 0;
    /// <summary>cublasMath_t CUBLAS_TF32_TENSOR_OP_MATH.</summary>
    public const int Tf32TensorOpMath = 3;

    [LibraryImport(Lib)] internal static partial CublasStatus cublasCreate_v2(out nint handle);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasDestroy_v2(nint handle);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasSetStream_v2(nint handle, nint stream);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasSetMathMode(nint handle, int mode);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasGetProperty(int property, out int value);
    [LibraryImport(Lib)] internal static partial CublasStatus cublasGetVersion_v2(nint handle, out int version);
    [LibraryImport(Lib)] internal static partial byte* cublasGetStatusName(CublasStatus status);

    /// <summary>Column-major C = alpha·op(A)·op(B) + beta·C; scalars by host pointer (the default pointer mode).</summary>
    [LibraryImport(Lib)]
    internal static partial CublasStatus cublasSgemm_v2(nint handle, int transA, int transB, int m, int n, int k,
                                                        float* alpha, ulong a, int lda, ulong b, int ldb, float* beta, ulong c, int ldc);

    /// <summary>The library's name for a status, e.g. CUBLAS_STATUS_INVALID_VALUE.</summary>
    public static string StatusName(CublasStatus status)
    {
        try
        {
            var name = cublasGetStatusName(status);
            if (name != null) return Marshal.PtrToStringUTF8((nint)name) ?? status.ToString();
        }
        catch (EntryPointNotFoundException) { }
        return $"cublasStatus {(int)status} ({status})";
    }

    /// <summary>Throws a <see cref="CudaException"/> naming the status and the call when it is not success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(CublasStatus status, [CallerArgumentExpression(nameof(status))] string call = "")
    {
        if (status != CublasStatus.Success) Throw(status, call);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(CublasStatus status, string call) =>
        throw new CudaException(CudaDriver.CallName(call), StatusName(status), (int)status);
}
