using NUnit.Framework;
using RnnGpu.Cuda;

namespace RnnGpu.Tests.Cuda;

/// <summary><see cref="KernelResources.Parse"/> on ptxas logs as NVRTC 11.8 and 12.4 write them (no NVRTC needed).</summary>
[TestFixture]
public sealed class KernelResourcesTests
{
    // NVRTC 11.8 for sm_87: constant-bank sizes after the shared memory.
    private const string Nvrtc118Log = """
        ptxas info    : 0 bytes gmem
        ptxas info    : Compiling entry function 'lstm_backward_steps_f32' for 'sm_87'
        ptxas info    : Function properties for lstm_backward_steps_f32
        ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
        ptxas info    : Used 57 registers, 20480 bytes smem, 448 bytes cmem[0], 16 bytes cmem[2]
        ptxas info    : Compiling entry function 'copy_f32' for 'sm_87'
        ptxas info    : Function properties for copy_f32
        ptxas         .     8 bytes stack frame, 4 bytes spill stores, 12 bytes spill loads
        ptxas info    : Used 255 registers, 384 bytes cmem[0]
        """;

    // NVRTC 12.4 for sm_90, preceded by a front-end warning, as a family's log can be.
    private const string Nvrtc124Log = """
        reduce.cu(9): warning #177-D: function "activate" was declared but never referenced

        ptxas info    : 1 bytes gmem
        ptxas info    : Compiling entry function 'gru_forward_steps_f32' for 'sm_90'
        ptxas info    : Function properties for gru_forward_steps_f32
        ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
        ptxas info    : Used 53 registers, 20480 bytes smem
        """;

    [Test]
    public void ReadsEachKernelOfAn118Log()
    {
        Assert.That(KernelResources.Parse(Nvrtc118Log), Is.EqualTo(new[]
        {
            new KernelResources("lstm_backward_steps_f32", "sm_87", 57, 20480, 0, 0, 0),
            new KernelResources("copy_f32", "sm_87", 255, 0, 8, 4, 12),
        }));
        Assert.That(KernelResources.Parse(Nvrtc118Log).Select(k => k.Spills), Is.EqualTo(new[] { false, true }));
    }

    [Test]
    public void ReadsA124LogPastTheFrontEndWarnings()
    {
        Assert.That(KernelResources.Parse(Nvrtc124Log), Is.EqualTo(new[] { new KernelResources("gru_forward_steps_f32", "sm_90", 53, 20480, 0, 0, 0) }));
    }

    [Test]
    public void AnEntryWithoutItsRegisterLineIsAFormatError()
    {
        var truncated = Nvrtc124Log[..Nvrtc124Log.IndexOf("ptxas info    : Used", StringComparison.Ordinal)];
        var e = Assert.Throws<FormatException>(() => KernelResources.Parse(truncated));
        Assert.That(e!.Message, Does.Contain("gru_forward_steps_f32"));
    }
}
