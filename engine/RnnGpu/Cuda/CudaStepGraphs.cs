using System.Runtime.InteropServices;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>
/// Runs a recurrent layer's per-step kernel launches as one CUDA graph once the same sequence (same kernels, grids and
/// argument values, so the same buffers) comes again: one graph launch from the host instead of one launch per
/// timestep. A sequence seen for the first time is launched directly and remembered (the last <see cref="Remembered"/>
/// of them, so the loops of several layers and directions can interleave); on its second sighting it is captured from
/// the stream, instantiated and kept (the most recently used <see cref="Capacity"/>); later sightings replay it.
/// Replaying only an identical sequence means a graph never touches other buffers than direct launches would.
/// If capture or instantiation fails, graphs are switched off for the backend and every sequence runs directly.
/// </summary>
internal sealed class CudaStepGraphs : IDisposable
{
    /// <summary>
    /// Graphs kept: a training step needs a forward and a backward sequence per layer, and a model whose step needs more
    /// than this would capture every loop anew on every call, so it is set well above any realistic depth.
    /// </summary>
    public const int Capacity = 64;

    /// <summary>Sequences seen once that are remembered, waiting for a second sighting (as many as graphs are kept).</summary>
    public const int Remembered = Capacity;

    /// <summary>CU_STREAM_CAPTURE_MODE_THREAD_LOCAL: only this thread's unsafe calls would break the capture.</summary>
    private const int ThreadLocalCapture = 1;

    private LaunchSequence _pending = new();
    private readonly LaunchSequence[] _misses = Enumerable.Range(0, Remembered).Select(_ => new LaunchSequence()).ToArray();
    private int _nextMiss;
    private readonly List<(LaunchSequence Sequence, nint Exec)> _graphs = [];
    private bool _recording;

    /// <summary>Whether sequences may be captured and replayed; false after a failed capture.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Why graphs were switched off, when a capture failed.</summary>
    public string? DisabledReason { get; private set; }

    /// <summary>Sequences captured into graphs, and graph launches in place of a sequence.</summary>
    public (int Captured, int Replayed) Statistics => (_captured, _replayed);

    private int _captured, _replayed;

    /// <summary>True between <see cref="Begin"/> and <see cref="Finish"/>: launches are collected, not queued.</summary>
    public bool Recording => _recording;

    /// <summary>Starts collecting a sequence (when <see cref="Enabled"/>); returns whether it does.</summary>
    public bool Begin()
    {
        if (!Enabled) return false;
        _pending.Clear();
        _recording = true;
        return true;
    }

    /// <summary>Adds one launch to the sequence being collected.</summary>
    public void Add(CudaKernel kernel, uint blocks, uint blockX, uint blockY, scoped in KernelArguments arguments) =>
        _pending.Add(kernel, blocks, blockX, blockY, arguments.Slots);

    /// <summary>Stops collecting and runs what was collected: a replayed graph, a new graph, or direct launches.</summary>
    public void Finish(CudaStream stream)
    {
        _recording = false;
        if (_pending.Count == 0) return;
        int found = _graphs.Count - 1;
        while (found >= 0 && !_graphs[found].Sequence.SameAs(_pending)) found--;
        if (found >= 0)
        {
            var hit = _graphs[found];
            _graphs.RemoveAt(found);
            _graphs.Add(hit); // most recently used last
            CudaDriver.Check(CudaDriver.cuGraphLaunch(hit.Exec, stream.Raw));
            _replayed++;
            return;
        }
        if (SeenBefore() && TryCapture(stream, out var exec))
        {
            if (_graphs.Count == Capacity)
            {
                CudaDriver.cuGraphExecDestroy(_graphs[0].Exec);
                _graphs.RemoveAt(0);
            }
            _graphs.Add((_pending.Copy(), exec));
            _captured++;
            CudaDriver.Check(CudaDriver.cuGraphLaunch(exec, stream.Raw));
            return;
        }
        _pending.LaunchAll(stream);
        // Remembered without a copy: the oldest remembered sequence's storage collects the next one.
        (_misses[_nextMiss], _pending) = (_pending, _misses[_nextMiss]);
        _nextMiss = (_nextMiss + 1) % Remembered;
    }

    private bool SeenBefore()
    {
        foreach (var miss in _misses)
            if (miss.SameAs(_pending)) return true;
        return false;
    }

    /// <summary>Drops the collected sequence without running it (the loop that collected it failed).</summary>
    public void Abandon() => _recording = false;

    private bool TryCapture(CudaStream stream, out nint exec)
    {
        exec = 0;
        nint graph = 0;
        bool capturing = false;
        try
        {
            CudaDriver.Check(CudaDriver.cuStreamBeginCapture_v2(stream.Raw, ThreadLocalCapture));
            capturing = true;
            _pending.LaunchAll(stream);
            capturing = false;
            CudaDriver.Check(CudaDriver.cuStreamEndCapture(stream.Raw, out graph));
            CudaDriver.Check(CudaDriver.cuGraphInstantiateWithFlags(out exec, graph, 0));
            return true;
        }
        catch (Exception e) when (e is CudaException or EntryPointNotFoundException)
        {
            // A capture that failed part-way must still be ended, or the stream stays in capture mode.
            if (capturing && CudaDriver.cuStreamEndCapture(stream.Raw, out var partial) == CudaResult.Success && partial != 0)
                CudaDriver.cuGraphDestroy(partial);
            Enabled = false;
            DisabledReason = e.Message;
            exec = 0;
            return false;
        }
        finally
        {
            if (graph != 0) CudaDriver.cuGraphDestroy(graph);
        }
    }

    public void Dispose()
    {
        foreach (var (_, exec) in _graphs) CudaDriver.cuGraphExecDestroy(exec);
        _graphs.Clear();
    }

    /// <summary>Kernel launches with their argument values, comparable as a whole.</summary>
    private sealed class LaunchSequence
    {
        private readonly List<(CudaKernel Kernel, uint Blocks, uint BlockX, uint BlockY, int SlotStart, int SlotCount)> _launches = [];
        private readonly List<ulong> _slots = [];

        public int Count => _launches.Count;

        public void Clear()
        {
            _launches.Clear();
            _slots.Clear();
        }

        public void Add(CudaKernel kernel, uint blocks, uint blockX, uint blockY, ReadOnlySpan<ulong> slots)
        {
            _launches.Add((kernel, blocks, blockX, blockY, _slots.Count, slots.Length));
            _slots.AddRange(slots);
        }

        public bool SameAs(LaunchSequence other)
        {
            if (_launches.Count != other._launches.Count || _slots.Count != other._slots.Count) return false;
            // Argument values first: another layer of the same shape differs there at once (its buffers), and the
            // vectorised compare stops at the first difference instead of walking every launch record.
            if (!CollectionsMarshal.AsSpan(_slots).SequenceEqual(CollectionsMarshal.AsSpan(other._slots))) return false;
            for (int i = 0; i < _launches.Count; i++)
            {
                var (a, b) = (_launches[i], other._launches[i]);
                if (a.Kernel.Function != b.Kernel.Function || a.Blocks != b.Blocks || a.BlockX != b.BlockX || a.BlockY != b.BlockY || a.SlotCount != b.SlotCount)
                    return false;
            }
            return true;
        }

        public LaunchSequence Copy()
        {
            var copy = new LaunchSequence();
            copy._launches.AddRange(_launches);
            copy._slots.AddRange(_slots);
            return copy;
        }

        public void LaunchAll(CudaStream stream)
        {
            var slots = CollectionsMarshal.AsSpan(_slots);
            foreach (var (kernel, blocks, blockX, blockY, start, count) in _launches)
            {
                kernel.Launch(blocks, blockX, blockY, stream, KernelArguments.Filled(slots.Slice(start, count)));
            }
        }
    }
}
