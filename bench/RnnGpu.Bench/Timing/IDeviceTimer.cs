namespace RnnGpu.Bench.Timing;

/// <summary>Times a region of device work (see <see cref="DeviceTimers.Create"/> for which implementation a backend gets).</summary>
public interface IDeviceTimer : IDisposable
{
    /// <summary>What measures the time, for the results file (e.g. "stopwatch+synchronize", "cuda-events").</summary>
    string Method { get; }

    /// <summary>Marks the start of the region (after earlier work has been queued).</summary>
    void Start();

    /// <summary>Marks the end of the region, waits for it, and returns the device time between the marks.</summary>
    TimeSpan Stop();
}
