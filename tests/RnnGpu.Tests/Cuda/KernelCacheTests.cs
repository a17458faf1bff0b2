using NUnit.Framework;
using RnnGpu.Cuda;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Tests.Cuda;

/// <summary>The on-disk kernel cache and the allocator's size classes (no GPU needed).</summary>
[TestFixture]
public sealed class KernelCacheTests
{
    [Test]
    public void CompiledFamilyIsStoredAndReusedFromDisk()
    {
        if (!NativeLibraries.TryGet(CudaLibraryKind.Nvrtc, out _, out var reason)) Assert.Ignore("NVRTC cannot be loaded here: " + reason);
        var dir = Directory.CreateTempSubdirectory("rnngpu-kernels-").FullName;
        try
        {
            var target = new KernelTarget(80, Cubin: true);
            var first = KernelCache.LoadOrCompile("optim", target, dir);
            var files = Directory.GetFiles(dir);
            Assert.That(files, Has.Length.EqualTo(1));
            Assert.That(Path.GetFileName(files[0]), Does.StartWith("optim-sm_80-").And.EndWith(".cubin"));
            Assert.That(File.ReadAllBytes(files[0]), Is.EqualTo(first));

            // A second load must come from the file: mark it and see the mark come back.
            File.WriteAllBytes(files[0], [1, 2, 3]);
            Assert.That(KernelCache.LoadOrCompile("optim", target, dir), Is.EqualTo(new byte[] { 1, 2, 3 }));

            // Another target is another entry.
            KernelCache.LoadOrCompile("optim", new KernelTarget(75, Cubin: false), dir);
            Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void KeyChangesWithSourceAndTarget()
    {
        if (!NativeLibraries.TryGet(CudaLibraryKind.Nvrtc, out _, out var reason)) Assert.Ignore("NVRTC cannot be loaded here: " + reason);
        var a = KernelCache.Key("x", new KernelTarget(80, true));
        Assert.That(KernelCache.Key("x", new KernelTarget(80, true)), Is.EqualTo(a));
        Assert.That(KernelCache.Key("y", new KernelTarget(80, true)), Is.Not.EqualTo(a));
        Assert.That(KernelCache.Key("x", new KernelTarget(90, true)), Is.Not.EqualTo(a));
        Assert.That(KernelCache.Key("x", new KernelTarget(80, false)), Is.Not.EqualTo(a));
    }

    [TestCase(0, 256)]
    [TestCase(1, 256)]
    [TestCase(256, 256)]
    [TestCase(257, 320)]
    [TestCase(1000, 1024)]
    [TestCase(1025, 1280)]
    [TestCase(3 << 20, 3 << 20)]
    [TestCase((3 << 20) + 1, (7 << 20) / 2)]
    public void SizeClassesWasteAtMostAQuarter(long bytes, long expected)
    {
        Assert.That(DeviceMemoryPool.SizeClass(bytes), Is.EqualTo(expected));
    }

    [Test]
    public void SizeClassesCoverEveryRequest()
    {
        var random = new Random(3);
        for (int i = 0; i < 10_000; i++)
        {
            long bytes = random.NextInt64(1, 1L << 34);
            long size = DeviceMemoryPool.SizeClass(bytes);
            Assert.That(size, Is.GreaterThanOrEqualTo(bytes));
            Assert.That(size, Is.LessThanOrEqualTo(Math.Max(256, bytes * 5 / 4 + 1)));
        }
    }
}
