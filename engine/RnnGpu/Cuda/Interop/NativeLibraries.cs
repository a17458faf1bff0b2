using System.Reflection;
using System.Runtime.InteropServices;

namespace RnnGpu.Cuda.Interop;

/// <summary>
/// Owns the loaded CUDA libraries and maps the logical names used by the <c>[LibraryImport]</c> bindings to them,
/// through one <see cref="NativeLibrary.SetDllImportResolver"/> registration for the engine assembly.
/// </summary>
internal static class NativeLibraries
{
    /// <summary>Logical library name of the driver bindings.</summary>
    public const string DriverName = "rnngpu-cuda-driver";
    /// <summary>Logical library name of the cuBLAS bindings.</summary>
    public const string CublasName = "rnngpu-cublas";
    /// <summary>Logical library name of the NVRTC bindings.</summary>
    public const string NvrtcName = "rnngpu-nvrtc";

    private static readonly Lock Gate = new();
    private static bool _registered;
    private static readonly Lazy<LoadedLibrary>[] Libraries =
    [
        new(() => LibraryProbe.Load(CudaLibraryKind.Driver, CudaLibrarySearchPath.Directories())),
        new(() => LibraryProbe.Load(CudaLibraryKind.Cublas, CudaLibrarySearchPath.Directories())),
        new(() => LibraryProbe.Load(CudaLibraryKind.Nvrtc, CudaLibrarySearchPath.Directories())),
    ];

    /// <summary>Registers the resolver once; the binding classes call this from their static constructors.</summary>
    public static void EnsureResolver()
    {
        lock (Gate)
        {
            if (_registered) return;
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
            _registered = true;
        }
    }

    /// <summary>The loaded library; throws <see cref="CudaLibraryNotFoundException"/> when none could be loaded.</summary>
    public static LoadedLibrary Get(CudaLibraryKind kind) => Libraries[(int)kind].Value;

    /// <summary>The loaded library, or the one-line reason it could not be loaded.</summary>
    public static bool TryGet(CudaLibraryKind kind, out LoadedLibrary? library, out string reason)
    {
        try
        {
            library = Get(kind);
            reason = "";
            return true;
        }
        catch (CudaLibraryNotFoundException e)
        {
            library = null;
            reason = $"{e.Library} was not found ({e.Attempts.Count} candidates tried; set {CudaLibrarySearchPath.OverrideVariable})";
            return false;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) => name switch
    {
        DriverName => Get(CudaLibraryKind.Driver).Handle,
        CublasName => Get(CudaLibraryKind.Cublas).Handle,
        NvrtcName => Get(CudaLibraryKind.Nvrtc).Handle,
        _ => 0,
    };
}
