using System.Runtime.InteropServices;

namespace RnnGpu.Cuda.Interop;

/// <summary>
/// Finds one CUDA library: tries every versioned soname (newest first) in every candidate folder, then the system
/// loader by soname, and accepts a candidate only when a real call into it succeeds.
/// </summary>
internal static unsafe class LibraryProbe
{
    /// <summary>Human name used in messages.</summary>
    public static string DisplayName(CudaLibraryKind kind) => kind switch
    {
        CudaLibraryKind.Driver => "the CUDA driver (libcuda.so.1)",
        CudaLibraryKind.Cublas => "cuBLAS (libcublas.so.13/.12/.11 with libcublasLt)",
        _ => "NVRTC (libnvrtc.so.13/.12/.11.2)",
    };

    /// <summary>The sonames of a library, newest first; for cuBLAS each entry is (libcublasLt, libcublas).</summary>
    public static IReadOnlyList<(string? Companion, string Name)> Sonames(CudaLibraryKind kind) => kind switch
    {
        CudaLibraryKind.Driver => [(null, "libcuda.so.1")],
        CudaLibraryKind.Cublas => [("libcublasLt.so.13", "libcublas.so.13"), ("libcublasLt.so.12", "libcublas.so.12"), ("libcublasLt.so.11", "libcublas.so.11")],
        _ => [(null, "libnvrtc.so.13"), (null, "libnvrtc.so.12"), (null, "libnvrtc.so.11.2")],
    };

    /// <summary>Loads and proves the library from <paramref name="directories"/>, then from the system loader.</summary>
    /// <exception cref="CudaLibraryNotFoundException">Nothing worked; the message lists every attempt.</exception>
    public static LoadedLibrary Load(CudaLibraryKind kind, IReadOnlyList<string> directories, bool useSystemLoader = true)
    {
        var attempts = new List<string>();
        var names = Sonames(kind);
        foreach (var dir in directories)
        {
            if (!Directory.Exists(dir))
            {
                attempts.Add($"{dir}/: folder does not exist");
                continue;
            }
            foreach (var (companion, name) in names)
            {
                var path = Path.Combine(dir, name);
                if (!File.Exists(path))
                {
                    attempts.Add($"{path}: no such file");
                    continue;
                }
                var companionPath = companion is null ? null : Path.Combine(dir, companion);
                if (TryCandidate(kind, path, companionPath, attempts) is { } found) return found;
            }
        }
        if (useSystemLoader)
        {
            foreach (var (companion, name) in names)
                if (TryCandidate(kind, name, companion, attempts, prefix: "system loader: ") is { } found) return found;
        }
        throw new CudaLibraryNotFoundException(DisplayName(kind), attempts);
    }

    private static LoadedLibrary? TryCandidate(CudaLibraryKind kind, string path, string? companion, List<string> attempts, string prefix = "")
    {
        nint companionHandle = 0;
        if (companion is not null)
        {
            // libcublas needs libcublasLt of the same major; load it first so the dependency resolves to the same folder.
            if (!TryLoad(companion, out companionHandle, out var why))
            {
                attempts.Add($"{prefix}{path}: its companion {companion} did not load: {why}");
                return null;
            }
        }
        if (!TryLoad(path, out var handle, out var reason))
        {
            attempts.Add($"{prefix}{path}: {reason}");
            if (companionHandle != 0) NativeLibrary.Free(companionHandle);
            return null;
        }
        string? failure;
        string version = "";
        int number = 0;
        try
        {
            failure = Prove(kind, handle, out version, out number);
        }
        catch (EntryPointNotFoundException e)
        {
            failure = e.Message;
        }
        if (failure is null)
        {
            var resolved = ResolvedPath(path);
            return new LoadedLibrary(kind, resolved, handle, version, number);
        }
        attempts.Add($"{prefix}{path}: loaded but {failure}");
        NativeLibrary.Free(handle);
        if (companionHandle != 0) NativeLibrary.Free(companionHandle);
        return null;
    }

    private static bool TryLoad(string path, out nint handle, out string reason)
    {
        try
        {
            handle = NativeLibrary.Load(path);
            reason = "";
            return true;
        }
        catch (DllNotFoundException e)
        {
            handle = 0;
            // Keep the loader's own words (dlerror), not .NET's advice around them.
            const string marker = "environment variable:";
            int at = e.Message.LastIndexOf(marker, StringComparison.Ordinal);
            reason = OneLine(at < 0 ? e.Message : e.Message[(at + marker.Length)..]);
            return false;
        }
        catch (BadImageFormatException e)
        {
            handle = 0;
            reason = "not a loadable shared library: " + OneLine(e.Message);
            return false;
        }
    }

    /// <summary>Calls a function that needs no device or handle; returns null on success, else why it failed.</summary>
    private static string? Prove(CudaLibraryKind kind, nint handle, out string version, out int number)
    {
        version = "";
        number = 0;
        switch (kind)
        {
            case CudaLibraryKind.Driver:
            {
                var getVersion = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(handle, "cuDriverGetVersion");
                int v;
                int rc = getVersion(&v);
                if (rc != 0) return $"cuDriverGetVersion returned {rc}{(rc == (int)CudaResult.StubLibrary ? " (CUDA_ERROR_STUB_LIBRARY: the toolkit's link stub, not a driver)" : "")}";
                number = v;
                version = $"{v / 1000}.{v % 1000 / 10}";
                return null;
            }
            case CudaLibraryKind.Cublas:
            {
                // cublasGetProperty needs no handle (cublasGetVersion_v2 takes one).
                var getProperty = (delegate* unmanaged<int, int*, int>)NativeLibrary.GetExport(handle, "cublasGetProperty");
                int major, minor, patch;
                int rc = getProperty(0, &major);
                if (rc == 0) rc = getProperty(1, &minor); else minor = 0;
                if (rc == 0) rc = getProperty(2, &patch); else patch = 0;
                if (rc != 0) return $"cublasGetProperty returned {rc}";
                number = major * 1000 + minor * 10;
                version = $"{major}.{minor}.{patch}";
                return null;
            }
            default:
            {
                var nvrtcVersion = (delegate* unmanaged<int*, int*, int>)NativeLibrary.GetExport(handle, "nvrtcVersion");
                int major, minor;
                int rc = nvrtcVersion(&major, &minor);
                if (rc != 0) return $"nvrtcVersion returned {rc}";
                number = major * 1000 + minor * 10;
                version = $"{major}.{minor}";
                return null;
            }
        }
    }

    private static string ResolvedPath(string path)
    {
        if (!Path.IsPathRooted(path)) return MappedFile(path) is { } file ? $"{file} (system loader, {path})" : path + " (system loader)";
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
            return target is null ? path : $"{path} -> {target.FullName}";
        }
        catch (IOException) { return path; }
    }

    /// <summary>The file the loader mapped for a soname, from /proc/self/maps (e.g. libnvrtc.so.11.2 → /usr/lib/.../libnvrtc.so.11.8.89).</summary>
    private static string? MappedFile(string soname)
    {
        int so = soname.IndexOf(".so", StringComparison.Ordinal);
        if (so < 0) return null;
        var stem = soname[..(so + 3)]; // "libcublas.so" does not match "libcublasLt.so..."
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var file = line[slash..];
                if (Path.GetFileName(file).StartsWith(stem, StringComparison.Ordinal)) return file;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.Length > 300 ? line[..300] + "..." : line;
    }
}
