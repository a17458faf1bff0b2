using System.Runtime.InteropServices;
using System.Text;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>Compiles CUDA C with NVRTC. Needs only libnvrtc, no driver or device.</summary>
internal static unsafe class KernelCompiler
{
    /// <summary>Options every family is compiled with (besides -arch). No fast-math: the GPU is checked against the CPU.</summary>
    public static IReadOnlyList<string> BaseOptions { get; } = ["-std=c++17", "-default-device"];

    /// <summary>NVRTC's version as major·1000 + minor·10.</summary>
    public static int Version
    {
        get
        {
            Nvrtc.Check(Nvrtc.nvrtcVersion(out int major, out int minor));
            return major * 1000 + minor * 10;
        }
    }

    /// <summary>The real architectures (sm_XX) this NVRTC can produce a CUBIN for, as major·10 + minor.</summary>
    public static IReadOnlyList<int> SupportedArchitectures()
    {
        Nvrtc.Check(Nvrtc.nvrtcGetNumSupportedArchs(out int count));
        var archs = new int[count];
        fixed (int* p = archs) Nvrtc.Check(Nvrtc.nvrtcGetSupportedArchs(p));
        return archs;
    }

    /// <summary>
    /// The target for a device: its own sm_XX CUBIN when NVRTC knows the architecture (no PTX JIT, no PTX-version mismatch
    /// with an older driver); otherwise PTX for the newest architecture NVRTC knows that the device can run.
    /// </summary>
    public static KernelTarget TargetFor(int deviceArchitecture)
    {
        var supported = SupportedArchitectures();
        if (supported.Contains(deviceArchitecture)) return new KernelTarget(deviceArchitecture, Cubin: true);
        var older = supported.Where(a => a <= deviceArchitecture).DefaultIfEmpty(0).Max();
        if (older == 0)
            throw new CudaException($"NVRTC {Version / 1000}.{Version % 1000 / 10} supports sm_{supported.Min()}..sm_{supported.Max()}, which cannot run on sm_{deviceArchitecture}.");
        return new KernelTarget(older, Cubin: false);
    }

    /// <summary>Compiles <paramref name="source"/>; returns the CUBIN or the NUL-terminated PTX.</summary>
    /// <exception cref="CudaException">Compilation failed; the message carries NVRTC's log.</exception>
    public static byte[] Compile(string source, string name, KernelTarget target, IReadOnlyList<string>? extraOptions = null) =>
        Compile(source, name, target, extraOptions, out _);

    /// <summary>
    /// Compiles <paramref name="source"/> to a CUBIN with ptxas's verbose report and returns what it says of each kernel:
    /// registers, shared memory, stack and spills (the static resource use behind a kernel's occupancy, known without a GPU).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="target"/> is PTX: ptxas runs only for a CUBIN.</exception>
    /// <exception cref="CudaException">Compilation failed; the message carries NVRTC's log.</exception>
    public static IReadOnlyList<KernelResources> ResourceUsage(string source, string name, KernelTarget target)
    {
        if (!target.Cubin) throw new ArgumentException($"Resource usage needs a CUBIN target (sm_XX); {target} is PTX, which ptxas does not assemble here.", nameof(target));
        Compile(source, name, target, ["-Xptxas", "-v"], out string log);
        return KernelResources.Parse(log);
    }

    private static byte[] Compile(string source, string name, KernelTarget target, IReadOnlyList<string>? extraOptions, out string log)
    {
        var options = new List<string>(BaseOptions) { "-arch=" + target.ArchitectureName };
        if (extraOptions is not null) options.AddRange(extraOptions);

        nint program;
        fixed (byte* src = NulTerminated(source))
        fixed (byte* file = NulTerminated(name + ".cu"))
            Nvrtc.Check(Nvrtc.nvrtcCreateProgram(out program, src, file, 0, null, null));
        try
        {
            var optionBytes = options.Select(NulTerminated).ToArray();
            var handles = optionBytes.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
            NvrtcResult result;
            try
            {
                var pointers = stackalloc byte*[handles.Length];
                for (int i = 0; i < handles.Length; i++) pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                result = Nvrtc.nvrtcCompileProgram(program, handles.Length, pointers);
            }
            finally
            {
                foreach (var h in handles) h.Free();
            }
            if (result != NvrtcResult.Success)
                throw new CudaException("nvrtcCompileProgram", Nvrtc.ErrorName(result), (int)result,
                    $"{name}.cu for {target} with {string.Join(' ', options)}:{Environment.NewLine}{Log(program)}");

            log = Log(program);
            nuint size;
            byte[] image;
            if (target.Cubin)
            {
                Nvrtc.Check(Nvrtc.nvrtcGetCUBINSize(program, out size));
                image = new byte[(int)size];
                fixed (byte* p = image) Nvrtc.Check(Nvrtc.nvrtcGetCUBIN(program, p));
            }
            else
            {
                Nvrtc.Check(Nvrtc.nvrtcGetPTXSize(program, out size));
                image = new byte[(int)size];
                fixed (byte* p = image) Nvrtc.Check(Nvrtc.nvrtcGetPTX(program, p));
            }
            return image;
        }
        finally
        {
            Nvrtc.nvrtcDestroyProgram(ref program);
        }
    }

    private static string Log(nint program)
    {
        if (Nvrtc.nvrtcGetProgramLogSize(program, out var size) != NvrtcResult.Success || size <= 1) return "(empty log)";
        var log = new byte[(int)size];
        fixed (byte* p = log) Nvrtc.nvrtcGetProgramLog(program, p);
        return Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }

    private static byte[] NulTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
