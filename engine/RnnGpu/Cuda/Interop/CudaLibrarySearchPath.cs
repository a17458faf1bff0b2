namespace RnnGpu.Cuda.Interop;

/// <summary>The folders searched for the CUDA libraries, in order, before the system loader is asked by soname.</summary>
internal static class CudaLibrarySearchPath
{
    /// <summary>Environment variable naming one or more folders (separated by ':') searched before anything else.</summary>
    public const string OverrideVariable = "RNNGPU_CUDA_LIB_DIR";

    /// <summary>Subfolders of site-packages where NVIDIA's pip wheels put their shared libraries.</summary>
    private static readonly string[] WheelFolders = ["nvidia/cu13/lib", "nvidia/cublas/lib", "nvidia/cuda_nvrtc/lib", "nvidia/cuda_runtime/lib"];

    /// <summary>The candidate folders for the current process environment.</summary>
    public static IReadOnlyList<string> Directories() => Directories(Environment.GetEnvironmentVariable);

    /// <summary>The candidate folders, reading environment variables through <paramref name="getEnvironment"/> (tests inject it).</summary>
    public static IReadOnlyList<string> Directories(Func<string, string?> getEnvironment)
    {
        var result = new List<string>();
        void Add(string? dir)
        {
            if (string.IsNullOrWhiteSpace(dir)) return;
            dir = Path.TrimEndingDirectorySeparator(dir.Trim());
            if (!result.Contains(dir, StringComparer.Ordinal)) result.Add(dir);
        }

        foreach (var dir in (getEnvironment(OverrideVariable) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)) Add(dir);
        foreach (var variable in new[] { "CUDA_PATH", "CUDA_HOME" })
        {
            var root = getEnvironment(variable);
            if (string.IsNullOrWhiteSpace(root)) continue;
            Add(Path.Combine(root, "lib64"));
            Add(Path.Combine(root, "targets/x86_64-linux/lib"));
        }
        Add("/usr/local/cuda/lib64");
        Add("/usr/local/cuda/targets/x86_64-linux/lib");
        foreach (var root in VersionedCudaRoots())
        {
            Add(Path.Combine(root, "lib64"));
            Add(Path.Combine(root, "targets/x86_64-linux/lib"));
        }
        foreach (var sitePackages in SitePackages(getEnvironment))
            foreach (var wheel in WheelFolders)
                Add(Path.Combine(sitePackages, wheel));
        return result;
    }

    /// <summary>/usr/local/cuda-X.Y folders, newest first.</summary>
    private static IEnumerable<string> VersionedCudaRoots()
    {
        string[] roots;
        try { roots = Directory.Exists("/usr/local") ? Directory.GetDirectories("/usr/local", "cuda-*") : []; }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
        return roots.OrderByDescending(r => Version.TryParse(Path.GetFileName(r)["cuda-".Length..], out var v) ? v : new Version(0, 0));
    }

    /// <summary>Python site-packages folders of the active virtual environment, conda, the user and the system.</summary>
    private static IEnumerable<string> SitePackages(Func<string, string?> getEnvironment)
    {
        var prefixes = new List<string>();
        foreach (var variable in new[] { "VIRTUAL_ENV", "CONDA_PREFIX" })
        {
            var prefix = getEnvironment(variable);
            if (!string.IsNullOrWhiteSpace(prefix)) prefixes.Add(Path.Combine(prefix, "lib"));
        }
        var home = getEnvironment("HOME");
        if (!string.IsNullOrWhiteSpace(home)) prefixes.Add(Path.Combine(home, ".local/lib"));
        prefixes.Add("/usr/local/lib");
        prefixes.Add("/usr/lib");
        prefixes.Add("/opt/conda/lib");

        foreach (var prefix in prefixes)
        {
            string[] pythons;
            try { pythons = Directory.Exists(prefix) ? Directory.GetDirectories(prefix, "python3*") : []; }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            // Newest interpreter first: python3.12 before python3.9.
            foreach (var python in pythons.OrderByDescending(p => Version.TryParse(Path.GetFileName(p)["python".Length..], out var v) ? v : new Version(0, 0)))
            {
                foreach (var leaf in new[] { "site-packages", "dist-packages" })
                {
                    var dir = Path.Combine(python, leaf);
                    if (Directory.Exists(dir)) yield return dir;
                }
            }
        }
    }
}
