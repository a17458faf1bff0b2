using System.Runtime.InteropServices;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A cuBLAS handle bound to one stream (cublasCreate_v2 / cublasDestroy_v2).</summary>
internal sealed class CublasHandle : SafeHandle
{
    private readonly CudaPrimaryContext _context;

    private CublasHandle(CudaPrimaryContext context) : base(0, ownsHandle: true) => _context = context;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>The raw cublasHandle_t.</summary>
    public nint Raw => handle;

    /// <summary>Creates a handle on <paramref name="stream"/>; TF32 tensor-op math only when asked for (default math keeps FP32 exact).</summary>
    public static CublasHandle Create(CudaPrimaryContext context, CudaStream stream, bool allowTf32)
    {
        var h = new CublasHandle(context);
        context.MakeCurrent();
        Cublas.Check(Cublas.cublasCreate_v2(out var raw));
        h.SetHandle(raw);
        Cublas.Check(Cublas.cublasSetStream_v2(raw, stream.Raw));
        Cublas.Check(Cublas.cublasSetMathMode(raw, allowTf32 ? Cublas.Tf32TensorOpMath : Cublas.DefaultMath));
        return h;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_context.IsClosed) return false;
        _context.MakeCurrent();
        return Cublas.cublasDestroy_v2(handle) == CublasStatus.Success;
    }
}
