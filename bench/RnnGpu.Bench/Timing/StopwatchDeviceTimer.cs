using System.Diagnostics;
using RnnGpu.Backends;

namespace RnnGpu.Bench.Timing;

/// <summary>Host wall clock with a <see cref="IBackend.Synchronize"/> on both sides, so queued work neither leaks in nor out of the region.</summary>
public sealed class StopwatchDeviceTimer(IBackend backend) : IDeviceTimer
{
    private long _start;

    /// <inheritdoc />
    public string Method => "stopwatch+synchronize";

    /// <inheritdoc />
    public void Start()
    {
        backend.Synchronize();
        _start = Stopwatch.GetTimestamp();
    }

    /// <inheritdoc />
    public TimeSpan Stop()
    {
        backend.Synchronize();
        return Stopwatch.GetElapsedTime(_start);
    }

    /// <inheritdoc />
    public void Dispose() { }
}
