using BenchmarkDotNet.Running;
using RnnGpu.Bench;
using RnnGpu.Bench.Configs;
using RnnGpu.Bench.Ours;
using RnnGpu.Bench.Report;
using RnnGpu.Bench.Timing;

// Errors a user can act on (a bad option, a missing or malformed results folder) are one line on standard error and
// exit code 1; anything else is a bug and keeps its stack trace.
try
{
    return Run(args);
}
catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Run(string[] args)
{
    if (args.Length > 0 && args[0] == "report") return ReportCommand.Run(args[1..]);

    var (options, rest) = BenchOptions.Parse(args);
    BenchOptions.Current = options;
    bool events = rest.Length > 0 && rest[0] == "events";
    bool gemm = rest.Length > 0 && rest[0] == "gemm";
    bool kernels = rest.Length > 0 && rest[0] == "kernels";
    bool help = rest.Contains("--help") || rest.Contains("-h");
    if ((events || gemm || kernels) && help)
    {
        Console.WriteLine(events ? EventsCommand.Usage : gemm ? RnnGpu.Bench.Gemm.GemmCommand.Usage : KernelsCommand.Usage);
        return 0;
    }
    if (gemm) return RnnGpu.Bench.Gemm.GemmCommand.Run(options, rest[1..]);
    if (kernels) return KernelsCommand.Run(options, rest[1..]);
    if (help) Console.WriteLine(BenchOptions.Usage);

    string? gpuSkip = OursGpu.Unavailable(out string? gpuName);
    if (gpuSkip is not null && !events) Console.WriteLine($"Skipping the GPU benchmarks (OursGpu): {gpuSkip}");

    if (events) return EventsCommand.Run(options, gpuSkip, rest[1..]);

    var types = new List<Type> { typeof(OursCpu) };
    if (gpuSkip is null) types.Add(typeof(OursGpu));
    #if TORCHSHARP
    types.Add(typeof(RnnGpu.Bench.TorchSharpBaseline.TorchSharpCpu));
    #else
    Console.WriteLine("Skipping the TorchSharp baseline: this build was made with WithTorchSharp=false.");
    #endif

    // --help and --list only print (BenchmarkDotNet adds its own options and the benchmark names): no results directory.
    if (help || rest.Contains("--list"))
    {
        BenchmarkSwitcher.FromTypes([.. types]).Run(rest);
        return 0;
    }

    // Without a filter BenchmarkDotNet asks on the console; the suite runs unattended, so everything is the default.
    if (!rest.Any(a => a is "--filter" or "-f")) rest = [.. rest, "--filter", "*"];

    string outDir = options.ResolvedOutputDirectory;
    string? torchSharpVersion = null, libTorchVersion = null;
    #if TORCHSHARP
    torchSharpVersion = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString();
    libTorchVersion = RnnGpu.Bench.TorchSharpBaseline.TorchSharpCpu.Version;
    #endif
    new RunInfo(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture), MachineInfo.ShortName,
        MachineInfo.Describe(), options.Threads, options.Job, options.CpuSet, options.GpuSet, gpuName, gpuSkip,
        torchSharpVersion, libTorchVersion, string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
        RnnGpu.Bench.Timing.CpuFmaPeak.MeasureGflops(options.Threads)).Save(outDir);

    Type[] cpuTypes = [.. types.Where(t => t != typeof(OursGpu) && BenchmarkFilter.Selects(rest, t))];
    bool gpuSelected = types.Contains(typeof(OursGpu)) && BenchmarkFilter.Selects(rest, typeof(OursGpu));
    if (cpuTypes.Length == 0 && !gpuSelected)
    {
        Console.Error.WriteLine($"No benchmark matches: {string.Join(' ', rest)} (see --list flat).");
        return 1;
    }
    if (cpuTypes.Contains(typeof(OursCpu))) WarmUp(OursCpu.CreateCpuBackend(), [.. OursCpu.Configs]);
    if (gpuSelected) WarmUp(OursGpu.CreateCudaBackend(), [.. OursGpu.Configs]);

    // The CPU classes (ours, libtorch) back to back one configuration at a time, each configuration's results in a folder
    // of its own: a VM's speed drifts by tens of percent over minutes, and running every configuration of one class before
    // the other would put that drift into the ratios.
    var summaries = new List<BenchmarkDotNet.Reports.Summary>();
    string cpuSet = options.CpuSet;
    foreach (var config in cpuTypes.Length == 0 ? [] : BenchConfigs.Select(cpuSet).ToList())
    {
        options.CpuSet = config.Name;
        summaries.AddRange(BenchmarkSwitcher.FromTypes(cpuTypes).Run(rest, SuiteConfig.Create(options, Path.Combine(outDir, "bdn", "cpu", config.Name))));
    }
    options.CpuSet = cpuSet;
    if (gpuSelected)
        summaries.AddRange(BenchmarkSwitcher.FromTypes([typeof(OursGpu)]).Run(rest, SuiteConfig.Create(options, Path.Combine(outDir, "bdn", "gpu"))));
    return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
}

// Our backend's hot code optimised by the JIT before BenchmarkDotNet times anything (see JitWarmup).
static void WarmUp(RnnGpu.Backends.IBackend backend, List<BenchConfig> configs)
{
    using (backend)
    {
        var (rounds, elapsed) = JitWarmup.Run(backend, configs);
        Console.WriteLine($"JIT warm-up of {backend.Name}: {rounds} round(s) over {configs.Count} configuration(s), {elapsed.TotalSeconds:F1} s");
    }
}
