namespace RnnGpu.Cuda;

/// <summary>
/// Measures GPU time of the work queued between <see cref="Start"/> and <see cref="Stop"/> with two CUDA events on the
/// backend's stream, so host-side launch overhead outside the region does not count (what benchmarks report).
/// </summary>
public sealed class CudaTimer : IDisposable
{
    private readonly CudaStream _stream;
    private readonly CudaEvent _start;
    private readonly CudaEvent _end;

    internal CudaTimer(CudaPrimaryContext context, CudaStream stream)
    {
        _stream = stream;
        _start = CudaEvent.Create(context, timing: true);
        _end = CudaEvent.Create(context, timing: true);
    }

    /// <summary>Records the start event after the work queued so far.</summary>
    public void Start() => _start.Record(_stream);

    /// <summary>Records the end event, waits for it and returns the GPU time between the two events.</summary>
    public TimeSpan Stop()
    {
        _end.Record(_stream);
        _end.Synchronize();
        return TimeSpan.FromMilliseconds(CudaEvent.ElapsedMilliseconds(_start, _end));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _start.Dispose();
        _end.Dispose();
    }
}
