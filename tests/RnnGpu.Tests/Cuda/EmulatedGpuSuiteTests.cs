using System.Diagnostics;
using NUnit.Framework;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// Runs the GPU suite in a child process against the CPU emulation of libcuda/libcublas (tests/RnnGpu.Tests/Cuda/Emulator):
/// the kernels compiled as C++ with one fiber per CUDA thread, the real NVRTC and the real CudaBackend host code. It
/// proves launches, strides, GEMM operand order and kernel arithmetic on machines without a GPU; it cannot prove real
/// GPU behaviour (races between truly concurrent threads, the real cuBLAS, CUBIN loading by a real driver).
/// </summary>
[TestFixture]
[Category("Emulator")]
public sealed class EmulatedGpuSuiteTests
{
    [Test]
    public void GpuSuitePassesOnTheCpuEmulation()
    {
        var root = FindRepository();
        if (root is null) Assert.Ignore("The repository sources are not next to the test binaries; the emulator is built from them.");
        foreach (var tool in new[] { "g++", "python3", "bash" })
            if (!OnPath(tool)) Assert.Ignore($"{tool} is not installed; the CUDA emulator cannot be built.");
        if (!NativeLibraries.TryGet(CudaLibraryKind.Nvrtc, out _, out var reason)) Assert.Ignore("NVRTC cannot be loaded here: " + reason);

        var dir = Directory.CreateTempSubdirectory("rnngpu-cuda-emulator-").FullName;
        try
        {
            var build = Run("bash", [Path.Combine(root, "tests/RnnGpu.Tests/Cuda/Emulator/build.sh"), dir], new(), TimeSpan.FromMinutes(5));
            Assert.That(build.ExitCode, Is.Zero, "building the emulator failed:\n" + build.Output);

            var self = Environment.ProcessPath!;
            var arguments = new List<string>();
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") { arguments.Add(typeof(EmulatedGpuSuiteTests).Assembly.Location); }
            // The whole GPU suite: the backend-level tests of this folder and the model-level ones (whose Device.Gpu()
            // finds the emulator through the same library override).
            arguments.AddRange(["--filter", "TestCategory=Gpu"]);
            var env = new Dictionary<string, string> { [CudaLibrarySearchPath.OverrideVariable] = dir, ["RNNGPU_CACHE"] = Path.Combine(dir, "kernel-cache") };
            var suite = Run(self, arguments, env, TimeSpan.FromMinutes(10));
            var summary = string.Join(Environment.NewLine, suite.Output.Split('\n').Where(l => l.Contains("total:") || l.Contains("succeeded:") || l.Contains("failed:") || l.Contains("skipped:") || l.Contains("Devices") || l.Contains("emulator")));
            TestContext.Out.WriteLine(summary);
            Assert.That(suite.ExitCode, Is.Zero, "the GPU suite failed on the emulator:\n" + Tail(suite.Output, 6000));
            Assert.That(suite.Output, Does.Contain("RnnGpu CPU emulator"), "the child process used the emulated driver");
            Assert.That(suite.Output, Does.Match(@"failed:\s*0").And.Match(@"skipped:\s*0"));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments, Dictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n" + stdout.Result + stderr.Result);
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string Tail(string text, int characters) => text.Length <= characters ? text : text[^characters..];

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, tool)));

    private static string? FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnGpu.sln")) && Directory.Exists(Path.Combine(dir.FullName, "kernels"))) return dir.FullName;
        return null;
    }
}
