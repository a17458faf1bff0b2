using System.Runtime.InteropServices;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A CUDA stream (cuStreamCreate / cuStreamDestroy_v2).</summary>
internal sealed class CudaStream : SafeHandle
{
    /// <summary>CU_STREAM_NON_BLOCKING: no implicit synchronisation with the legacy default stream.</summary>
    private const uint NonBlocking = 1;

    private readonly CudaPrimaryContext _context;

    private CudaStream(CudaPrimaryContext context) : base(0, ownsHandle: true) => _context = context;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Creates a non-blocking stream in the context.</summary>
    public static CudaStream Create(CudaPrimaryContext context)
    {
        var stream = new CudaStream(context);
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuStreamCreate(out var raw, NonBlocking));
        stream.SetHandle(raw);
        return stream;
    }

    /// <summary>The raw CUstream.</summary>
    public nint Raw => handle;

    /// <summary>Blocks until all work queued on the stream has finished.</summary>
    public void Synchronize() => CudaDriver.Check(CudaDriver.cuStreamSynchronize(handle));

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_context.IsClosed) return false;
        _context.MakeCurrent();
        return CudaDriver.cuStreamDestroy_v2(handle) == CudaResult.Success;
    }
}
