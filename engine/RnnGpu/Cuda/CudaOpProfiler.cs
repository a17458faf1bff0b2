namespace RnnGpu.Cuda;

/// <summary>
/// Times every cuBLAS GEMM and every kernel a <see cref="CudaBackend"/> queues while it is attached, each between
/// its own pair of CUDA timing events, and sums them by name (<see cref="OpTimeTable"/>): the split of a step into
/// GEMM time, kernel time and the idle gaps between them (launch overhead), which nsys would give where it is installed.
/// Recording the events costs host time, so time the region without a profiler for its elapsed time, and with one for
/// the split. Made by <see cref="CudaBackend.StartOpProfile"/>.
/// </summary>
public sealed class CudaOpProfiler : IDisposable
{
    private readonly CudaBackend _backend;
    private readonly CudaPrimaryContext _context;
    private readonly List<CudaEvent> _events = [];
    private readonly List<(string Name, int Start, int End)> _ops = [];
    private int _next;
    private bool _stopped;

    internal CudaOpProfiler(CudaBackend backend, CudaPrimaryContext context)
    {
        _backend = backend;
        _context = context;
    }

    /// <summary>Records the start event of an operation about to be queued; returns its index for <see cref="End"/>.</summary>
    internal int Begin(CudaStream stream)
    {
        int start = _next++;
        Event(start).Record(stream);
        return start;
    }

    /// <summary>Records the end event of the operation begun at <paramref name="start"/>.</summary>
    internal void End(int start, string name, CudaStream stream)
    {
        int end = _next++;
        Event(end).Record(stream);
        _ops.Add((name, start, end));
    }

    private CudaEvent Event(int index)
    {
        while (_events.Count <= index) _events.Add(CudaEvent.Create(_context, timing: true));
        return _events[index];
    }

    /// <summary>Detaches from the backend, waits for the GPU to finish the profiled work and returns the times.</summary>
    public OpTimeTable Stop()
    {
        Detach();
        var table = new OpTimeTable();
        if (_ops.Count == 0) return table;
        _events[_next - 1].Synchronize();
        foreach (var (name, start, end) in _ops) table.Add(name, CudaEvent.ElapsedMilliseconds(_events[start], _events[end]));
        return table;
    }

    private void Detach()
    {
        if (_stopped) return;
        _stopped = true;
        _backend.DetachOpProfiler(this);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Detach();
        foreach (var e in _events) e.Dispose();
        _events.Clear();
    }
}
