using NUnit.Framework;
using RnnGpu.Cuda;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Tests.Cuda;

/// <summary>The library search: every attempt is reported, the override folder comes first and is used.</summary>
[TestFixture]
public sealed class LibraryLoaderTests
{
    private string _scratch = "";

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("rnngpu-loader-").FullName;

    [TearDown]
    public void DeleteScratch() => Directory.Delete(_scratch, recursive: true);

    [Test]
    public void NothingFoundListsEveryPathAndWhy()
    {
        var missing = Path.Combine(_scratch, "does-not-exist");
        var empty = Directory.CreateDirectory(Path.Combine(_scratch, "empty")).FullName;
        var broken = Directory.CreateDirectory(Path.Combine(_scratch, "broken")).FullName;
        File.WriteAllText(Path.Combine(broken, "libnvrtc.so.12"), "not an ELF file");

        var e = Assert.Throws<CudaLibraryNotFoundException>(() => LibraryProbe.Load(CudaLibraryKind.Nvrtc, [missing, empty, broken], useSystemLoader: false));
        var message = e!.Message;
        Assert.That(message, Does.Contain(CudaLibrarySearchPath.OverrideVariable));
        Assert.That(message, Does.Contain(missing + "/: folder does not exist"));
        foreach (var soname in new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2" })
            Assert.That(message, Does.Contain(Path.Combine(empty, soname) + ": no such file"));
        Assert.That(e.Attempts.Single(a => a.StartsWith(Path.Combine(broken, "libnvrtc.so.12"), StringComparison.Ordinal)), Does.Not.Contain("no such file"),
            "a file that exists but does not load is reported with the loader's reason");
        Assert.That(e.Attempts, Has.Count.EqualTo(1 + 3 + 3));
    }

    [Test]
    public void CublasNeedsItsLtCompanion()
    {
        File.WriteAllText(Path.Combine(_scratch, "libcublas.so.12"), "not an ELF file");
        var e = Assert.Throws<CudaLibraryNotFoundException>(() => LibraryProbe.Load(CudaLibraryKind.Cublas, [_scratch], useSystemLoader: false));
        Assert.That(e!.Attempts, Has.Some.Contains("libcublasLt.so.12"));
    }

    [Test]
    public void OverrideFolderComesFirst()
    {
        var env = new Dictionary<string, string?> { [CudaLibrarySearchPath.OverrideVariable] = "/opt/a:/opt/b", ["CUDA_HOME"] = "/opt/cuda-home", ["HOME"] = _scratch };
        var dirs = CudaLibrarySearchPath.Directories(k => env.GetValueOrDefault(k)).ToList();
        Assert.That(dirs.Take(2), Is.EqualTo(new[] { "/opt/a", "/opt/b" }));
        Assert.That(dirs, Does.Contain("/opt/cuda-home/lib64"));
        Assert.That(dirs.IndexOf("/opt/cuda-home/lib64"), Is.LessThan(dirs.IndexOf("/usr/local/cuda/lib64")));
    }

    [Test]
    public void PipWheelFoldersOfAVirtualEnvironmentAreSearched()
    {
        var site = Directory.CreateDirectory(Path.Combine(_scratch, "venv/lib/python3.12/site-packages")).FullName;
        var env = new Dictionary<string, string?> { ["VIRTUAL_ENV"] = Path.Combine(_scratch, "venv") };
        var dirs = CudaLibrarySearchPath.Directories(k => env.GetValueOrDefault(k));
        Assert.That(dirs, Does.Contain(Path.Combine(site, "nvidia/cu13/lib")));
        Assert.That(dirs, Does.Contain(Path.Combine(site, "nvidia/cublas/lib")));
        Assert.That(dirs, Does.Contain(Path.Combine(site, "nvidia/cuda_nvrtc/lib")));
    }

    [Test]
    public void OverrideFolderIsUsedWhenItHoldsTheLibrary()
    {
        if (!NativeLibraries.TryGet(CudaLibraryKind.Nvrtc, out var nvrtc, out var reason))
            Assert.Ignore("NVRTC cannot be loaded here: " + reason);
        // The real file: "<path>", "<link> -> <file>" or "<file> (system loader, <soname>)".
        var real = nvrtc!.Path.Split(" -> ")[^1].Split(" (")[0];
        if (!File.Exists(real)) Assert.Ignore($"NVRTC's file is not known ({nvrtc.Path}).");
        var soname = nvrtc.VersionNumber >= 13000 ? "libnvrtc.so.13" : nvrtc.VersionNumber >= 12000 ? "libnvrtc.so.12" : "libnvrtc.so.11.2";
        File.CreateSymbolicLink(Path.Combine(_scratch, soname), real);

        var loaded = LibraryProbe.Load(CudaLibraryKind.Nvrtc, [_scratch], useSystemLoader: false);
        Assert.That(loaded.Path, Does.StartWith(Path.Combine(_scratch, soname)));
        Assert.That(loaded.Version, Is.EqualTo(nvrtc.Version));
    }

    [Test]
    public void NoDeviceGivesAOneLineReason()
    {
        if (CudaRuntime.TryCreate(0, out var backend, out var reason))
        {
            backend!.Dispose();
            Assert.Pass("A CUDA device is present.");
        }
        Assert.That(backend, Is.Null);
        Assert.That(reason, Is.Not.Empty.And.Not.Contain("\n"));
        TestContext.Out.WriteLine(reason);
    }

    [Test]
    public void DescribeNeverThrows()
    {
        var report = CudaRuntime.Describe();
        Assert.That(report, Does.Contain("CUDA driver").And.Contain("cuBLAS").And.Contain("NVRTC").And.Contain("Devices"));
        TestContext.Out.WriteLine(report);
    }

    [Test]
    public void FailedCallNamesTheFunction()
    {
        Assert.That(CudaDriver.CallName("CudaDriver.cuMemAlloc_v2(out var p, (nuint)bytes)"), Is.EqualTo("cuMemAlloc_v2"));
        Assert.That(CudaDriver.CallName("Cublas.cublasSgemm_v2(h, 0, 0)"), Is.EqualTo("cublasSgemm_v2"));
    }
}
