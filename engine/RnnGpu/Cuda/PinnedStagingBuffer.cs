using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>
/// Page-locked host memory through which uploads and downloads pass (asynchronous DMA needs pinned memory).
/// Grows on demand; an event guards reuse so an upload still in flight is never overwritten.
/// </summary>
internal sealed unsafe class PinnedStagingBuffer : IDisposable
{
    private readonly CudaEvent _copyDone;
    private void* _buffer;
    private long _capacity;
    private bool _inFlight;

    public PinnedStagingBuffer(CudaPrimaryContext context) => _copyDone = CudaEvent.Create(context);

    /// <summary>A pinned region of at least <paramref name="bytes"/>, free of any copy still reading it.</summary>
    public void* Acquire(long bytes)
    {
        if (_inFlight)
        {
            _copyDone.Synchronize();
            _inFlight = false;
        }
        if (bytes > _capacity)
        {
            if (_buffer != null) CudaDriver.Check(CudaDriver.cuMemFreeHost(_buffer));
            _buffer = null;
            long capacity = Math.Max(bytes, Math.Max(1 << 16, _capacity * 2));
            CudaDriver.Check(CudaDriver.cuMemHostAlloc(out _buffer, (nuint)capacity, 0));
            _capacity = capacity;
        }
        return _buffer;
    }

    /// <summary>Marks the buffer busy until the work queued so far on <paramref name="stream"/> has run.</summary>
    public void MarkInFlight(CudaStream stream)
    {
        _copyDone.Record(stream);
        _inFlight = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_buffer != null)
        {
            if (_inFlight) _copyDone.Synchronize();
            CudaDriver.cuMemFreeHost(_buffer);
            _buffer = null;
        }
        _copyDone.Dispose();
    }
}
