using RnnGpu.Backends;

namespace RnnGpu;

public sealed partial class Device
{
    private static partial bool TryCreateGpu(int ordinal, out IBackend? backend, out string reason)
    {
        backend = null;
        reason = "this build has no CUDA backend.";
        return false;
    }
}
