using System.Text;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>Entry point to the CUDA backend: finds the libraries and devices, creates backends, and describes what it found.</summary>
public static unsafe class CudaRuntime
{
    private static readonly Lock Gate = new();
    private static CudaResult? _initResult;

    /// <summary>Creates a backend on device <paramref name="ordinal"/>, or explains in one line why not.</summary>
    /// <param name="ordinal">Device index.</param>
    /// <param name="backend">The backend, when the result is true.</param>
    /// <param name="reason">Empty on success; otherwise a one-line explanation (no driver, no device, a library missing...).</param>
    /// <param name="allowTf32">Let cuBLAS use TF32 tensor cores for float32 GEMMs (faster, about 10 mantissa bits).</param>
    public static bool TryCreate(int ordinal, out CudaBackend? backend, out string reason, bool allowTf32 = false)
    {
        backend = null;
        if (!TryInitialize(out reason)) return false;
        CudaDriver.Check(CudaDriver.cuDeviceGetCount(out int count));
        if (ordinal < 0 || ordinal >= count)
        {
            reason = count == 0 ? "The CUDA driver reports no device." : $"Device {ordinal} does not exist ({count} CUDA device{(count == 1 ? "" : "s")}).";
            return false;
        }
        if (!NativeLibraries.TryGet(CudaLibraryKind.Cublas, out _, out reason)) return false;
        if (!NativeLibraries.TryGet(CudaLibraryKind.Nvrtc, out _, out reason)) return false;
        try
        {
            backend = new CudaBackend(ordinal, allowTf32);
            reason = "";
            return true;
        }
        catch (CudaException e)
        {
            reason = e.Message.ReplaceLineEndings(" ");
            return false;
        }
    }

    /// <summary>Number of CUDA devices (0 when there is no driver).</summary>
    public static int DeviceCount => TryInitialize(out _) && CudaDriver.cuDeviceGetCount(out int n) == CudaResult.Success ? n : 0;

    /// <summary>What the driver reports about device <paramref name="ordinal"/>.</summary>
    public static CudaDeviceInfo GetDevice(int ordinal)
    {
        if (!TryInitialize(out var reason)) throw new CudaException(reason);
        CudaDriver.Check(CudaDriver.cuDeviceGet(out int device, ordinal));
        var name = stackalloc byte[256];
        CudaDriver.Check(CudaDriver.cuDeviceGetName(name, 256, device));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int major, CudaDeviceAttribute.ComputeCapabilityMajor, device));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int minor, CudaDeviceAttribute.ComputeCapabilityMinor, device));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int sms, CudaDeviceAttribute.MultiprocessorCount, device));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out int cooperative, CudaDeviceAttribute.CooperativeLaunch, device));
        CudaDriver.Check(CudaDriver.cuDeviceTotalMem_v2(out var bytes, device));
        return new CudaDeviceInfo(ordinal, new string((sbyte*)name), major, minor, (long)bytes, sms, cooperative != 0);
    }

    /// <summary>A multi-line report: driver, libraries (resolved path and version), devices and the kernel target of each. Never throws.</summary>
    public static string Describe()
    {
        var text = new StringBuilder();
        foreach (var kind in new[] { CudaLibraryKind.Driver, CudaLibraryKind.Cublas, CudaLibraryKind.Nvrtc })
        {
            var label = kind switch { CudaLibraryKind.Driver => "CUDA driver", CudaLibraryKind.Cublas => "cuBLAS", _ => "NVRTC" };
            try
            {
                var lib = NativeLibraries.Get(kind);
                var extra = kind == CudaLibraryKind.Driver ? " (driver API version)" : "";
                text.AppendLine($"{label}: {lib.Version}{extra}, {lib.Path}");
                if (kind == CudaLibraryKind.Nvrtc)
                {
                    var archs = KernelCompiler.SupportedArchitectures();
                    text.AppendLine($"  NVRTC CUBIN targets: sm_{archs.Min()} .. sm_{archs.Max()}");
                }
            }
            catch (CudaLibraryNotFoundException e)
            {
                text.AppendLine($"{label}: not found");
                foreach (var attempt in e.Attempts) text.AppendLine("  tried " + attempt);
            }
            catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException)
            {
                text.AppendLine($"{label}: {e.Message}");
            }
        }
        try
        {
            if (!TryInitialize(out var reason))
            {
                text.AppendLine("Devices: none (" + reason + ")");
                return text.ToString();
            }
            int count = DeviceCount;
            text.AppendLine($"Devices: {count}");
            for (int i = 0; i < count; i++)
            {
                var device = GetDevice(i);
                string target;
                try
                {
                    var t = KernelCompiler.TargetFor(device.Architecture);
                    target = t.Cubin ? $"{t} CUBIN" : $"{t} PTX (JIT by the driver)";
                }
                catch (Exception e) when (e is CudaException or DllNotFoundException) { target = "unavailable: " + e.Message.ReplaceLineEndings(" "); }
                text.AppendLine($"  {device}; kernels: {target}");
            }
        }
        catch (Exception e) when (e is CudaException or DllNotFoundException or EntryPointNotFoundException)
        {
            text.AppendLine("Devices: error: " + e.Message);
        }
        return text.ToString();
    }

    /// <summary>Loads the driver and calls cuInit once; false with a one-line reason when there is no usable driver.</summary>
    internal static bool TryInitialize(out string reason)
    {
        if (!NativeLibraries.TryGet(CudaLibraryKind.Driver, out _, out reason)) return false;
        lock (Gate)
        {
            _initResult ??= CudaDriver.cuInit(0);
        }
        if (_initResult == CudaResult.Success)
        {
            reason = "";
            return true;
        }
        reason = $"cuInit failed with {CudaDriver.ErrorName(_initResult.Value)}" + (_initResult == CudaResult.NoDevice ? ": no CUDA device is visible." : ".");
        return false;
    }
}
