namespace RnnGpu.Cuda;

/// <summary>No candidate for a CUDA library could be loaded and proven with a real call.</summary>
public sealed class CudaLibraryNotFoundException : CudaException
{
    /// <summary>Creates the exception with every attempt and why it failed.</summary>
    /// <param name="library">Human name of the library, e.g. "NVRTC".</param>
    /// <param name="attempts">One line per path tried: the path and the reason it was rejected.</param>
    public CudaLibraryNotFoundException(string library, IReadOnlyList<string> attempts)
        : base($"Could not load {library}. Set {Interop.CudaLibrarySearchPath.OverrideVariable} to the folder that holds it. Tried:"
               + Environment.NewLine + string.Join(Environment.NewLine, attempts.Select(a => "  " + a)))
    {
        Library = library;
        Attempts = attempts;
    }

    /// <summary>Human name of the library that was not found.</summary>
    public string Library { get; }

    /// <summary>Every path tried, each with the reason it was rejected.</summary>
    public IReadOnlyList<string> Attempts { get; }
}
