using System.Runtime.InteropServices;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A CUDA event without timing (cuEventCreate / cuEventDestroy_v2), used to know when a staged copy has finished.</summary>
internal sealed class CudaEvent : SafeHandle
{
    /// <summary>CU_EVENT_DISABLE_TIMING: cheaper to record and wait on.</summary>
    private const uint DisableTiming = 2;

    private readonly CudaPrimaryContext _context;

    private CudaEvent(CudaPrimaryContext context) : base(0, ownsHandle: true) => _context = context;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Creates an event in the context.</summary>
    public static CudaEvent Create(CudaPrimaryContext context)
    {
        var e = new CudaEvent(context);
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out var raw, DisableTiming));
        e.SetHandle(raw);
        return e;
    }

    /// <summary>Records the event at the current end of <paramref name="stream"/>.</summary>
    public void Record(CudaStream stream) => CudaDriver.Check(CudaDriver.cuEventRecord(handle, stream.Raw));

    /// <summary>Blocks until the work before the last record has finished.</summary>
    public void Synchronize() => CudaDriver.Check(CudaDriver.cuEventSynchronize(handle));

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_context.IsClosed) return false;
        _context.MakeCurrent();
        return CudaDriver.cuEventDestroy_v2(handle) == CudaResult.Success;
    }
}
