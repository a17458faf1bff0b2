using RnnGpu.Backends;

namespace RnnGpu.Bench.Timing;

/// <summary>Picks the timer for a backend.</summary>
public static class DeviceTimers
{
    /// <summary>
    /// The best timer for <paramref name="backend"/>. HOOK: once the CUDA backend exposes events, return a CUDA-event
    /// <see cref="IDeviceTimer"/> for it here; every other backend keeps the synchronised stopwatch.
    /// </summary>
    public static IDeviceTimer Create(IBackend backend) => new StopwatchDeviceTimer(backend);
}
