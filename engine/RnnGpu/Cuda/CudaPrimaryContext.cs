using System.Runtime.InteropServices;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A retained primary context of one device (cuDevicePrimaryCtxRetain / cuDevicePrimaryCtxRelease_v2).</summary>
internal sealed class CudaPrimaryContext : SafeHandle
{
    [ThreadStatic] private static nint _currentOnThisThread;

    private CudaPrimaryContext(int device) : base(0, ownsHandle: true) => Device = device;

    /// <summary>The CUdevice the context belongs to.</summary>
    public int Device { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Retains the device's primary context and makes it current on the calling thread.</summary>
    public static CudaPrimaryContext Retain(int device)
    {
        var context = new CudaPrimaryContext(device);
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out var raw, device));
        context.SetHandle(raw);
        context.MakeCurrent();
        return context;
    }

    /// <summary>Makes the context current on the calling thread; a no-op when it already is (one thread-static compare).</summary>
    public void MakeCurrent()
    {
        if (_currentOnThisThread == handle) return;
        CudaDriver.Check(CudaDriver.cuCtxSetCurrent(handle));
        _currentOnThisThread = handle;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_currentOnThisThread == handle) _currentOnThisThread = 0;
        return CudaDriver.cuDevicePrimaryCtxRelease_v2(Device) == CudaResult.Success;
    }
}
