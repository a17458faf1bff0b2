using RnnGpu.Backends;

namespace RnnGpu.Bench.Timing;

/// <summary>Picks the timer for a backend.</summary>
public static class DeviceTimers
{
    /// <summary>The best timer for <paramref name="backend"/>: CUDA events on the GPU, a synchronised stopwatch elsewhere.</summary>
    public static IDeviceTimer Create(IBackend backend) =>
        backend is RnnGpu.Cuda.CudaBackend cuda ? new CudaEventDeviceTimer(cuda) : new StopwatchDeviceTimer(backend);
}
