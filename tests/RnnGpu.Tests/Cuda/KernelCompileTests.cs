using NUnit.Framework;
using RnnGpu.Cuda;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// Every kernel family compiles with the NVRTC found on this machine: Debian's 11.8 on the build machine, and in CI
/// once more with NVRTC 12.4.
/// </summary>
[TestFixture]
public sealed class KernelCompileTests
{
    public static IEnumerable<string> Families => KernelSources.Families;

    /// <summary>
    /// CUBINs for the oldest architecture this NVRTC supports (sm_35 for 11.8, sm_50 for 12, sm_75 for 13: kernels must
    /// not use a newer intrinsic unguarded), Pascal (the first with cooperative launches), Turing, Ampere and Hopper
    /// where supported, plus PTX for compute_75.
    /// </summary>
    private static IEnumerable<KernelTarget> Targets()
    {
        var supported = KernelCompiler.SupportedArchitectures();
        foreach (int arch in new[] { supported.Min(), 60, 75, 80, 90 }.Distinct().Where(supported.Contains))
            yield return new KernelTarget(arch, Cubin: true);
        yield return new KernelTarget(75, Cubin: false);
    }

    [OneTimeSetUp]
    public void RequireNvrtc()
    {
        if (!NativeLibraries.TryGet(CudaLibraryKind.Nvrtc, out _, out var reason))
            Assert.Ignore("NVRTC cannot be loaded, so the kernels cannot be compiled here: " + reason + " (run scripts/install-nvrtc.sh).");
    }

    /// <summary>
    /// CI runs these tests a second time against NVRTC 12 (scripts/fetch-nvrtc12.sh) and names that version in
    /// <see cref="ExpectedVersionVariable"/>, so that pass fails rather than silently compiling with the system's NVRTC.
    /// </summary>
    public const string ExpectedVersionVariable = "RNNGPU_EXPECT_NVRTC";

    [Test]
    public void TheExpectedNvrtcIsLoaded()
    {
        Nvrtc.Check(Nvrtc.nvrtcVersion(out int major, out int minor));
        var expected = Environment.GetEnvironmentVariable(ExpectedVersionVariable);
        if (string.IsNullOrEmpty(expected)) Assert.Pass($"NVRTC {major}.{minor} (no {ExpectedVersionVariable} set)");
        Assert.That($"{major}.{minor}", Is.EqualTo(expected), $"the NVRTC loaded, against {ExpectedVersionVariable}");
    }

    [Test]
    public void AllFamiliesAreEmbedded()
    {
        Assert.That(KernelSources.Families, Is.SupersetOf(new[] { "elementwise", "embedding", "gru", "loss", "lstm", "optim", "reduce", "simple_rnn" }));
    }

    [TestCaseSource(nameof(Families))]
    public void FamilyCompilesForEveryTarget(string family)
    {
        var source = KernelSources.Read(family);
        foreach (var target in Targets())
        {
            var image = KernelCompiler.Compile(source, family, target);
            Assert.That(image, Is.Not.Empty, $"{family} for {target}");
            if (target.Cubin)
                Assert.That(image.AsSpan(0, 4).ToArray(), Is.EqualTo(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }), $"{family} for {target} is an ELF CUBIN");
            else
                Assert.That(System.Text.Encoding.ASCII.GetString(image), Does.Contain(".target " + target.ArchitectureName.Replace("compute_", "sm_")), $"{family} PTX");
        }
    }

    [TestCaseSource(nameof(Families))]
    public void EveryExternCKernelIsInTheImage(string family)
    {
        var source = KernelSources.Read(family);
        var ptx = System.Text.Encoding.ASCII.GetString(KernelCompiler.Compile(source, family, new KernelTarget(75, Cubin: false)));
        var names = KernelNames(source);
        Assert.That(names, Is.Not.Empty);
        foreach (var name in names) Assert.That(ptx, Does.Contain(".entry " + name), $"{family}: {name} (unmangled)");
    }

    /// <summary>
    /// ptxas's own report (<c>-Xptxas -v</c>) on every CUBIN target: it names every kernel of the family, and none spills
    /// registers to local memory. A spill is a slow path no GPU-free test would otherwise notice; each block we launch has
    /// at most 256 threads, so any register count still launches.
    /// </summary>
    [TestCaseSource(nameof(Families))]
    public void NoKernelSpillsRegisters(string family)
    {
        var source = KernelSources.Read(family);
        var names = KernelNames(source);
        foreach (var target in Targets().Where(t => t.Cubin))
        {
            var kernels = KernelCompiler.ResourceUsage(source, family, target);
            Assert.That(kernels.Select(k => k.Kernel), Is.EquivalentTo(names), $"{family} for {target}: the kernels ptxas reports");
            Assert.That(kernels.Where(k => k.Spills), Is.Empty, $"{family} for {target}: kernels that spill registers");
            Assert.That(kernels.Select(k => k.Architecture), Is.All.EqualTo(target.ArchitectureName));
        }
    }

    [Test]
    public void ResourceUsageNeedsACubinTarget()
    {
        var e = Assert.Throws<ArgumentException>(() => KernelCompiler.ResourceUsage(KernelSources.Read("reduce"), "reduce", new KernelTarget(75, Cubin: false)));
        Assert.That(e!.Message, Does.Contain("compute_75").And.Contain("CUBIN"));
    }

    /// <summary>The extern "C" kernels a family's source declares (a <c>__launch_bounds__</c> may precede the name).</summary>
    private static string[] KernelNames(string source) =>
        System.Text.RegularExpressions.Regex.Matches(source, @"extern ""C"" __global__ void (?:__launch_bounds__\([^)]*\)\s*)?(\w+)")
            .Select(m => m.Groups[1].Value).ToArray();

    [Test]
    public void CompileErrorCarriesTheNvrtcLog()
    {
        var e = Assert.Throws<CudaException>(() => KernelCompiler.Compile("extern \"C\" __global__ void broken(float* x) { x[0] = undefined_name; }", "broken", new KernelTarget(75, false)));
        Assert.That(e!.Message, Does.Contain("undefined_name").And.Contain("NVRTC_ERROR_COMPILATION"));
    }

    [Test]
    public void DeviceTargetFallsBackToPtxForUnknownArchitectures()
    {
        var supported = KernelCompiler.SupportedArchitectures();
        Assert.That(KernelCompiler.TargetFor(supported.Max()), Is.EqualTo(new KernelTarget(supported.Max(), true)));
        Assert.That(KernelCompiler.TargetFor(supported.Max() + 1000), Is.EqualTo(new KernelTarget(supported.Max(), false)));
    }
}
