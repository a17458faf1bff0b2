using System.Runtime.InteropServices;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A CUDA event (cuEventCreate / cuEventDestroy_v2): without timing to know when a staged copy has finished, with timing for <see cref="CudaTimer"/>.</summary>
internal sealed class CudaEvent : SafeHandle
{
    /// <summary>CU_EVENT_DISABLE_TIMING: cheaper to record and wait on.</summary>
    private const uint DisableTiming = 2;

    private readonly CudaPrimaryContext _context;

    private CudaEvent(CudaPrimaryContext context) : base(0, ownsHandle: true) => _context = context;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Creates an event in the context; <paramref name="timing"/> events can measure elapsed time.</summary>
    public static CudaEvent Create(CudaPrimaryContext context, bool timing = false)
    {
        var e = new CudaEvent(context);
        context.MakeCurrent();
        CudaDriver.Check(CudaDriver.cuEventCreate(out var raw, timing ? 0 : DisableTiming));
        e.SetHandle(raw);
        return e;
    }

    /// <summary>Records the event at the current end of <paramref name="stream"/>.</summary>
    public void Record(CudaStream stream) => CudaDriver.Check(CudaDriver.cuEventRecord(handle, stream.Raw));

    /// <summary>Blocks until the work before the last record has finished.</summary>
    public void Synchronize() => CudaDriver.Check(CudaDriver.cuEventSynchronize(handle));

    private static bool _legacyElapsed;

    /// <summary>Milliseconds between two recorded, completed timing events.</summary>
    public static float ElapsedMilliseconds(CudaEvent start, CudaEvent end)
    {
        float ms;
        if (!_legacyElapsed)
        {
            try
            {
                CudaDriver.Check(CudaDriver.cuEventElapsedTime_v2(out ms, start.handle, end.handle));
                return ms;
            }
            catch (EntryPointNotFoundException) { _legacyElapsed = true; } // a driver older than 12.8
        }
        CudaDriver.Check(CudaDriver.cuEventElapsedTime(out ms, start.handle, end.handle));
        return ms;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_context.IsClosed) return false;
        _context.MakeCurrent();
        return CudaDriver.cuEventDestroy_v2(handle) == CudaResult.Success;
    }
}
