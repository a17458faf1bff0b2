using System.Globalization;
using System.Text;
using RnnGpu.Cuda;

namespace RnnGpu.Bench;

/// <summary>
/// The <c>kernels</c> subcommand: ptxas's resource report for every kernel we compile (registers, shared memory, stack,
/// spills), for one architecture. It needs only NVRTC, so the static side of a kernel's occupancy is known before any GPU
/// is lent; on the GPU machine it reports the device's own architecture with that machine's NVRTC.
/// </summary>
public static class KernelsCommand
{
    /// <summary>What <c>kernels --help</c> prints.</summary>
    public const string Usage = """
        kernels [--arch N]
          Compiles every kernel family to a CUBIN with ptxas's verbose report and tabulates, per kernel: registers per
          thread, static shared memory per block, stack frame, and spill stores/loads. --arch is the compute capability
          as major·10 + minor (e.g. 90); default: GPU 0's when a device is usable, else the newest this NVRTC targets.
          Writes <--out>/kernels-sm_N-nvrtcV.md (V: NVRTC's version, as register counts change with the compiler).
        """;

    /// <summary>Runs it; <paramref name="args"/>: [--arch N].</summary>
    public static int Run(BenchOptions options, string[] args)
    {
        int? arch = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--arch": arch = OptionValues.Int("--arch", Next(), min: 10); break;
                default: throw new ArgumentException($"Unknown kernels option '{args[i]}'.");
            }
        }

        var supported = KernelCompiler.SupportedArchitectures();
        string source = "this NVRTC's newest target";
        if (arch is null && CudaRuntime.DeviceCount > 0)
        {
            var device = CudaRuntime.GetDevice(0);
            (arch, source) = (device.Architecture, device.Name);
        }
        arch ??= supported.Max();
        if (!supported.Contains(arch.Value))
        {
            Console.Error.WriteLine($"NVRTC {NvrtcVersion} cannot assemble sm_{arch} (it targets sm_{string.Join(", sm_", supported)}).");
            return 2;
        }

        var target = new KernelTarget(arch.Value, Cubin: true);
        var table = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Kernel resources for {target} ({source})")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"ptxas's report (`-Xptxas -v`) through NVRTC {NvrtcVersion}, {DateTime.UtcNow:yyyy-MM-dd}. Registers per thread; shared memory (static) per block; stack and spills in bytes per thread.")
            .AppendLine()
            .AppendLine("| Family | Kernel | Registers | Shared (B) | Stack (B) | Spill stores / loads (B) |")
            .AppendLine("|---|---|---:|---:|---:|---:|");
        int spilling = 0, count = 0;
        foreach (var family in KernelSources.Families)
        {
            foreach (var k in KernelCompiler.ResourceUsage(KernelSources.Read(family), family, target).OrderBy(k => k.Kernel, StringComparer.Ordinal))
            {
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"| {family} | `{k.Kernel}` | {k.Registers} | {k.SharedBytes} | {k.StackBytes} | {k.SpillStoreBytes} / {k.SpillLoadBytes} |");
                count++;
                if (k.Spills) spilling++;
            }
        }
        table.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{count} kernels, {spilling} spilling registers.");

        string text = table.ToString();
        Console.Write(text);
        Directory.CreateDirectory(options.ResolvedOutputDirectory);
        string path = Path.Combine(options.ResolvedOutputDirectory, $"kernels-{target}-nvrtc{NvrtcVersion}.md");
        File.WriteAllText(path, text);
        Console.WriteLine($"Wrote {path}");
        return 0;
    }

    private static string NvrtcVersion => $"{KernelCompiler.Version / 1000}.{KernelCompiler.Version % 1000 / 10}";
}
