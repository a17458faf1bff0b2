using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

public sealed partial class CudaBackend
{
    private CudaTensor? _gridBarrier;
    // Blocks of a kernel at a block size that one multiprocessor holds at once, as the driver computed them.
    private readonly Dictionary<(string Kernel, uint Threads), int> _residentBlocks = [];

    /// <summary>
    /// The two words of the persistent kernels' grid_sync (kernels/recurrent_step.cuh), zeroed once: every launch leaves
    /// them zero. One suffices, since all work runs in order on one stream. (Internal so that a test can break it.)
    /// </summary>
    internal ulong GridBarrier
    {
        get
        {
            if (_gridBarrier is null)
            {
                _gridBarrier = NewTensor([2], DType.Float32);
                CudaDriver.Check(CudaDriver.cuMemsetD32Async(_gridBarrier.Pointer, 0, 2, _stream.Raw));
            }
            return _gridBarrier.Pointer;
        }
    }

    /// <summary>
    /// Queues a fused time-loop kernel (<c>*_steps_f32</c>): for one step as an ordinary launch, or for the whole loop as
    /// one cooperative launch (<see cref="TryLaunchPersistent"/>), which returns false where it cannot run.
    /// </summary>
    private bool LaunchSteps(string family, string kernel, uint blocks, uint threads, bool cooperative, scoped in KernelArguments arguments)
    {
        if (cooperative) return TryLaunchPersistent(family, kernel, blocks, threads, arguments);
        LaunchBlocks(family, kernel, blocks, threads, 1, arguments);
        return true;
    }

    /// <summary>
    /// Queues a persistent time loop (a <c>*_steps_f32</c> kernel, <see cref="RecurrentStepMode.Persistent"/>) as one
    /// cooperative launch, and returns true; or returns false, launching nothing, where it cannot run: on a device
    /// without cooperative launches, or when the grid does not fit on the device at once (the barrier between steps would
    /// wait for blocks that cannot start). An op profile times the whole loop as one entry under the kernel's name.
    /// </summary>
    private bool TryLaunchPersistent(string family, string kernel, uint blocks, uint threads, scoped in KernelArguments arguments)
    {
        if (!Device.CooperativeLaunch) return false;
        EnsureCurrent();
        var compiled = _kernels.Get(family, kernel);
        if (!_residentBlocks.TryGetValue((kernel, threads), out int perMultiprocessor))
            _residentBlocks[(kernel, threads)] = perMultiprocessor = compiled.ResidentBlocksPerMultiprocessor((int)threads);
        if (blocks > (long)perMultiprocessor * Device.Multiprocessors) return false;
        int profiled = _opProfiler?.Begin(_stream) ?? 0;
        compiled.LaunchCooperative(blocks, threads, _stream, arguments);
        _opProfiler?.End(profiled, kernel, _stream);
        PersistentLoops++;
        return true;
    }
}
