namespace RnnGpu.Cuda;

/// <summary>What the driver reports about one device.</summary>
/// <param name="Ordinal">Device index.</param>
/// <param name="Name">Marketing name, e.g. "NVIDIA H100 80GB HBM3".</param>
/// <param name="Major">Compute capability major.</param>
/// <param name="Minor">Compute capability minor.</param>
/// <param name="TotalMemory">Device memory in bytes.</param>
/// <param name="Multiprocessors">Number of SMs.</param>
/// <param name="CooperativeLaunch">Whether the device runs cooperative grids (all blocks resident at once).</param>
public sealed record CudaDeviceInfo(int Ordinal, string Name, int Major, int Minor, long TotalMemory, int Multiprocessors, bool CooperativeLaunch)
{
    /// <summary>Compute capability as major·10 + minor, e.g. 90.</summary>
    public int Architecture => Major * 10 + Minor;

    /// <inheritdoc />
    public override string ToString() =>
        $"[{Ordinal}] {Name}, compute capability {Major}.{Minor} (sm_{Architecture}), {Multiprocessors} SMs, {TotalMemory / (1024.0 * 1024 * 1024):F1} GiB";
}
