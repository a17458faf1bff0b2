namespace RnnGpu.Cuda.Interop;

/// <summary>A native library that was loaded and answered a real call.</summary>
/// <param name="Kind">Which library.</param>
/// <param name="Path">The file (or soname, when the system loader found it) that was loaded.</param>
/// <param name="Handle">The handle from <see cref="System.Runtime.InteropServices.NativeLibrary"/>.</param>
/// <param name="Version">Version reported by the library itself, e.g. "12.4" or "13.0.1".</param>
/// <param name="VersionNumber">Major·1000 + minor·10, comparable with <c>cuDriverGetVersion</c>.</param>
internal sealed record LoadedLibrary(CudaLibraryKind Kind, string Path, nint Handle, string Version, int VersionNumber);
