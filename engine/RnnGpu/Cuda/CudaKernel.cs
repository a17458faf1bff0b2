using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A kernel entry point, launched asynchronously on a stream (no synchronisation per launch).</summary>
/// <param name="Function">The CUfunction.</param>
/// <param name="Name">The kernel's name, for error messages.</param>
internal readonly record struct CudaKernel(nint Function, string Name)
{
    /// <summary>Queues the kernel with a 1-D grid and a 1- or 2-D block.</summary>
    public void Launch(uint gridX, uint blockX, uint blockY, CudaStream stream, scoped in KernelArguments arguments) =>
        Queue(gridX, blockX, blockY, cooperative: false, stream, arguments);

    /// <summary>Queues the kernel as a cooperative grid: the driver starts all blocks at once or refuses the launch.</summary>
    public void LaunchCooperative(uint gridX, uint blockX, CudaStream stream, scoped in KernelArguments arguments) =>
        Queue(gridX, blockX, 1, cooperative: true, stream, arguments);

    private unsafe void Queue(uint gridX, uint blockX, uint blockY, bool cooperative, CudaStream stream, scoped in KernelArguments arguments)
    {
        var slots = arguments.Slots;
        void** parameters = stackalloc void*[Math.Max(1, slots.Length)];
        fixed (ulong* values = slots)
        {
            for (int i = 0; i < slots.Length; i++) parameters[i] = values + i;
            var rc = cooperative
                ? CudaDriver.cuLaunchCooperativeKernel(Function, gridX, 1, 1, blockX, blockY, 1, 0, stream.Raw, parameters)
                : CudaDriver.cuLaunchKernel(Function, gridX, 1, 1, blockX, blockY, 1, 0, stream.Raw, parameters, null);
            if (rc != CudaResult.Success)
                throw new CudaException(cooperative ? "cuLaunchCooperativeKernel" : "cuLaunchKernel", CudaDriver.ErrorName(rc), (int)rc,
                    $"kernel {Name}, grid {gridX}, block {blockX}×{blockY}");
        }
    }

    /// <summary>How many blocks of <paramref name="blockSize"/> threads one multiprocessor holds at once.</summary>
    public int ResidentBlocksPerMultiprocessor(int blockSize)
    {
        CudaDriver.Check(CudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor(out int blocks, Function, blockSize, 0));
        return blocks;
    }
}
