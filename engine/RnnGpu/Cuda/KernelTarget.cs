namespace RnnGpu.Cuda;

/// <summary>What NVRTC should produce: a CUBIN for a real architecture (sm_XX) or PTX for a virtual one (compute_XX).</summary>
/// <param name="Architecture">Compute capability as major·10 + minor, e.g. 90.</param>
/// <param name="Cubin">True for a CUBIN (<c>-arch=sm_XX</c>), false for PTX (<c>-arch=compute_XX</c>).</param>
public readonly record struct KernelTarget(int Architecture, bool Cubin)
{
    /// <summary>The NVRTC <c>-arch</c> value.</summary>
    public string ArchitectureName => (Cubin ? "sm_" : "compute_") + Architecture;

    /// <inheritdoc />
    public override string ToString() => ArchitectureName;
}
