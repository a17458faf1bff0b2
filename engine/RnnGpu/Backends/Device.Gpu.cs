using RnnGpu.Backends;
using RnnGpu.Cuda;

namespace RnnGpu;

/// <summary>The only place the device factory touches CUDA.</summary>
public sealed partial class Device
{
    /// <summary>A multi-line report of what was found: CUDA devices, driver, library paths and versions, or why nothing was.</summary>
    public static string Describe() => CudaRuntime.Describe();

    private static partial bool TryCreateGpu(int ordinal, bool allowTf32, out IBackend? backend, out string reason)
    {
        bool ok = CudaRuntime.TryCreate(ordinal, out var cuda, out reason, allowTf32);
        backend = cuda;
        return ok;
    }
}
