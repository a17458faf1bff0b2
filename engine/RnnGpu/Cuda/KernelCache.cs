using System.Security.Cryptography;
using System.Text;

namespace RnnGpu.Cuda;

/// <summary>
/// Compiles each kernel family at first use for one device target, keeps the binary on disk (keyed by a hash of
/// source, options, target and NVRTC version, so any change recompiles), loads it as a module and hands out kernels.
/// </summary>
internal sealed class KernelCache : IDisposable
{
    /// <summary>Environment variable overriding the on-disk cache folder.</summary>
    public const string CacheVariable = "RNNGPU_CACHE";

    private readonly CudaPrimaryContext _context;
    private readonly KernelTarget _target;
    private readonly string _directory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, CudaModule> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CudaKernel> _kernels = new(StringComparer.Ordinal);

    public KernelCache(CudaPrimaryContext context, KernelTarget target, string? directory = null)
    {
        _context = context;
        _target = target;
        _directory = directory ?? DefaultDirectory();
    }

    /// <summary>The target every family is compiled for.</summary>
    public KernelTarget Target => _target;

    /// <summary>RNNGPU_CACHE, else ~/.cache/rnngpu/kernels.</summary>
    public static string DefaultDirectory()
    {
        var overridden = Environment.GetEnvironmentVariable(CacheVariable);
        if (!string.IsNullOrWhiteSpace(overridden)) return overridden;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrEmpty(home)) home = Path.GetTempPath();
        return Path.Combine(home, ".cache", "rnngpu", "kernels");
    }

    /// <summary>The kernel <paramref name="name"/> of <paramref name="family"/>, compiling and loading the family on first use.</summary>
    public CudaKernel Get(string family, string name)
    {
        var key = family + "/" + name;
        lock (_gate)
        {
            if (_kernels.TryGetValue(key, out var kernel)) return kernel;
            if (!_modules.TryGetValue(family, out var module))
            {
                var image = LoadOrCompile(family, _target, _directory);
                try
                {
                    module = CudaModule.Load(_context, image);
                }
                catch (CudaException e) when (e.Code == (int)Interop.CudaResult.UnsupportedPtxVersion)
                {
                    throw new CudaException(e.Call, e.ErrorName, e.Code,
                        $"kernel family '{family}' was compiled to PTX for {_target} by NVRTC {KernelCompiler.Version / 1000}.{KernelCompiler.Version % 1000 / 10}, " +
                        "which is newer than the driver; install a driver at least as new as NVRTC, or an NVRTC that knows this GPU's sm_XX (CUBIN needs no JIT)");
                }
                _modules[family] = module;
            }
            kernel = new CudaKernel(module.Function(name), name);
            _kernels[key] = kernel;
            return kernel;
        }
    }

    /// <summary>The compiled image of a family from the disk cache, compiling (and storing) it when absent.</summary>
    public static byte[] LoadOrCompile(string family, KernelTarget target, string directory)
    {
        var source = KernelSources.Read(family);
        var path = Path.Combine(directory, $"{family}-{target.ArchitectureName}-{Key(source, target)}.{(target.Cubin ? "cubin" : "ptx")}");
        try
        {
            if (File.Exists(path)) return File.ReadAllBytes(path);
        }
        catch (IOException) { /* unreadable cache entry: compile again */ }

        var image = KernelCompiler.Compile(source, family, target);
        try
        {
            Directory.CreateDirectory(directory);
            // Write then rename so a concurrent process never reads a half-written file.
            var temporary = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temporary, image);
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException) { /* a read-only cache only costs a recompilation next time */ }
        catch (UnauthorizedAccessException) { }
        return image;
    }

    /// <summary>Hash of everything that changes the binary.</summary>
    internal static string Key(string source, KernelTarget target)
    {
        var text = string.Join("\n", source, string.Join(' ', KernelCompiler.BaseOptions), target.ArchitectureName, KernelCompiler.Version.ToString());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var module in _modules.Values) module.Dispose();
            _modules.Clear();
            _kernels.Clear();
        }
    }
}
