using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Cuda;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// The op profiler (<see cref="CudaBackend.StartOpProfile"/>) on a recurrent layer's forward and backward: every
/// per-step GEMM and kernel is counted once per step under its name, times are non-negative, and stopping detaches it.
/// </summary>
public sealed class GpuOpProfilerTests : GpuTestBase
{
    private const int Batch = 3, Steps = 4, Inputs = 5, Units = 6;

    [Test]
    public void CountsEveryStepsGemmAndKernel()
    {
        var cuda = (CudaBackend)Gpu;
        var spec = new RecurrentSpec(RecurrentKind.Lstm, Units);
        OpTimeTable table;
        using (var profiler = cuda.StartOpProfile())
        {
            RecurrentLayerRun.Run(cuda, spec, Batch, Steps, Inputs, Units);
            table = profiler.Stop();
        }

        var rows = table.Rows.ToDictionary(r => r.Name);
        Assert.Multiple(() =>
        {
            Assert.That(rows["lstm_forward_step_f32"].Count, Is.EqualTo(Steps));
            Assert.That(rows["lstm_backward_step_f32"].Count, Is.EqualTo(Steps));
            Assert.That(rows[$"gemm {Batch}x{4 * Units}x{Units} NN"].Count, Is.EqualTo(Steps), "the forward recurrent GEMM, once per step");
            Assert.That(rows[$"gemm {Batch * Steps}x{4 * Units}x{Inputs} NN"].Count, Is.EqualTo(1), "the input projection of all steps");
            Assert.That(table.Rows.Select(r => r.TotalMilliseconds), Is.All.GreaterThanOrEqualTo(0));
            Assert.That(table.MillisecondsOf("gemm ") + table.MillisecondsOf("lstm_"), Is.LessThanOrEqualTo(table.TotalMilliseconds + 1e-9));
        });

        // Stopped: the next profile starts clean, and nothing is recorded in between.
        RecurrentLayerRun.Run(cuda, spec, Batch, Steps, Inputs, Units);
        using var next = cuda.StartOpProfile();
        Assert.That(next.Stop().Rows, Is.Empty);
    }

    [Test]
    public void OneProfileAtATime()
    {
        var cuda = (CudaBackend)Gpu;
        using var first = cuda.StartOpProfile();
        Assert.That(() => cuda.StartOpProfile(), Throws.InvalidOperationException.With.Message.Contains("already running"));
    }
}
