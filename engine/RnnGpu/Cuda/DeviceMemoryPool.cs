using System.Numerics;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>
/// A caching device allocator: blocks are rounded up to size classes (quarter steps between powers of two, at least
/// 256 bytes) and returned blocks are kept per class for reuse, so a training step in steady state calls no cuMemAlloc.
/// With a single stream, a block freed on the host can be handed out again at once: later work is ordered after earlier work.
/// Of the cached blocks of a class, the one at the lowest address goes out first, so which blocks a sequence of requests
/// gets depends only on which are free, not on the order they came back in: a training step that repeats gets the same
/// addresses every time, which is what lets <see cref="CudaStepGraphs"/> replay its time loops.
/// </summary>
internal sealed class DeviceMemoryPool : IDisposable
{
    private const long MinimumBlock = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, PriorityQueue<ulong, ulong>> _free = new();
    private readonly Action _synchronize;
    private bool _disposed;

    /// <param name="synchronize">Waits for the stream; called before cached blocks are really freed.</param>
    public DeviceMemoryPool(Action synchronize) => _synchronize = synchronize;

    /// <summary>Bytes held in the cache, ready for reuse.</summary>
    public long CachedBytes { get; private set; }

    /// <summary>Bytes handed out and not yet returned.</summary>
    public long InUseBytes { get; private set; }

    /// <summary>Number of cuMemAlloc calls made so far (steady state: constant).</summary>
    public long DeviceAllocations { get; private set; }

    /// <summary>The size class a request of <paramref name="bytes"/> is served from.</summary>
    public static long SizeClass(long bytes)
    {
        if (bytes <= MinimumBlock) return MinimumBlock;
        long power = (long)BitOperations.RoundUpToPowerOf2((ulong)bytes);
        long quarter = power / 8; // steps of 1/4 of the lower power of two: 1, 1.25, 1.5, 1.75 × power/2
        long lower = power / 2;
        long size = lower;
        while (size < bytes) size += quarter;
        return size;
    }

    /// <summary>A block of at least <paramref name="bytes"/>; <paramref name="blockBytes"/> is what must be passed back to <see cref="Return"/>.</summary>
    /// <exception cref="CudaOutOfMemoryException">The device is full even after the cache was released.</exception>
    public ulong Rent(long bytes, out long blockBytes)
    {
        blockBytes = SizeClass(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_free.TryGetValue(blockBytes, out var cached) && cached.Count > 0)
            {
                CachedBytes -= blockBytes;
                InUseBytes += blockBytes;
                return cached.Dequeue();
            }
            var rc = CudaDriver.cuMemAlloc_v2(out var pointer, (nuint)blockBytes);
            if (rc == CudaResult.OutOfMemory)
            {
                // Give the cached blocks back to the driver and try once more.
                ReleaseCacheLocked();
                rc = CudaDriver.cuMemAlloc_v2(out pointer, (nuint)blockBytes);
                if (rc == CudaResult.OutOfMemory)
                {
                    CudaDriver.cuMemGetInfo_v2(out var free, out var total);
                    throw new CudaOutOfMemoryException(bytes, (long)free, (long)total);
                }
            }
            CudaDriver.Check(rc, "cuMemAlloc_v2");
            DeviceAllocations++;
            InUseBytes += blockBytes;
            return pointer;
        }
    }

    /// <summary>Puts a block back into the cache.</summary>
    public void Return(ulong pointer, long blockBytes)
    {
        lock (_gate)
        {
            if (_disposed) return; // the memory went with the context
            if (!_free.TryGetValue(blockBytes, out var cached)) _free[blockBytes] = cached = new PriorityQueue<ulong, ulong>();
            cached.Enqueue(pointer, pointer);
            InUseBytes -= blockBytes;
            CachedBytes += blockBytes;
        }
    }

    /// <summary>Frees every cached block (after the stream has drained).</summary>
    public void ReleaseCache()
    {
        lock (_gate) ReleaseCacheLocked();
    }

    private void ReleaseCacheLocked()
    {
        if (CachedBytes == 0) return;
        _synchronize();
        foreach (var cached in _free.Values)
            while (cached.Count > 0) CudaDriver.cuMemFree_v2(cached.Dequeue());
        CachedBytes = 0;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            ReleaseCacheLocked();
            _disposed = true;
        }
    }
}
