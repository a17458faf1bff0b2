using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Cuda;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// The op profiler (<see cref="CudaBackend.StartOpProfile"/>) on a recurrent layer's forward and backward: every
/// per-step GEMM and kernel is counted once per step under its name (a persistent loop once), times are non-negative,
/// and stopping detaches it.
/// </summary>
public sealed class GpuOpProfilerTests : GpuTestBase
{
    private const int Batch = 3, Steps = 4, Inputs = 5, Units = 6;

    [TestCase(RecurrentStepMode.Cublas)]
    [TestCase(RecurrentStepMode.Fused)]
    [TestCase(RecurrentStepMode.Persistent)]
    public void CountsEveryStepsGemmAndKernel(RecurrentStepMode mode)
    {
        var cuda = (CudaBackend)Gpu;
        cuda.RecurrentSteps = mode;
        var spec = new RecurrentSpec(RecurrentKind.Lstm, Units);
        OpTimeTable table;
        using (var profiler = cuda.StartOpProfile())
        {
            RecurrentLayerRun.Run(cuda, spec, Batch, Steps, Inputs, Units);
            table = profiler.Stop();
        }
        cuda.RecurrentSteps = RecurrentStepMode.Auto;

        var rows = table.Rows.ToDictionary(r => r.Name);
        int Count(string name) => rows.TryGetValue(name, out var row) ? row.Count : 0;
        // cuBLAS mode: the forward recurrent GEMM once per step, and backward dGates·Uᵀ once per step. Fused: the step
        // kernels compute both themselves, except backward's product of the first step, which one GEMM adds at the end.
        // Persistent: as fused, with each direction's loop one launch (its 1 block fits on any device).
        int forwardGemms = mode == RecurrentStepMode.Cublas ? Steps : 0, backwardGemms = mode == RecurrentStepMode.Cublas ? Steps : 1;
        int launches = mode == RecurrentStepMode.Persistent ? 1 : Steps;
        Assert.Multiple(() =>
        {
            Assert.That(Count("lstm_forward_steps_f32"), Is.EqualTo(launches));
            Assert.That(Count("lstm_backward_steps_f32"), Is.EqualTo(launches));
            Assert.That(Count($"gemm {Batch}x{4 * Units}x{Units} NN"), Is.EqualTo(forwardGemms), "forward h·U");
            Assert.That(Count($"gemm {Batch}x{Units}x{4 * Units} NT"), Is.EqualTo(backwardGemms), "backward dGates·Uᵀ");
            Assert.That(Count($"gemm {Batch * Steps}x{4 * Units}x{Inputs} NN"), Is.EqualTo(1), "the input projection of all steps");
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
