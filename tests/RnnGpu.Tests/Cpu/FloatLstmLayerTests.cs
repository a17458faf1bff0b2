using RnnGpu.Backends;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// A whole float LSTM layer on the CPU, which takes the fused cell (<see cref="RnnGpu.Backends.Cpu.FloatLstmCell"/>)
/// for its unmasked rows and the generic kernels for masked ones, against the same layer in double: forward and
/// backward, with a mask, initial states and every gradient.
/// </summary>
[TestFixture]
public sealed class FloatLstmLayerTests
{
    [Test]
    public void FloatLayerMatchesTheDoubleLayer([Values(13, 40)] int units)
    {
        var spec = new RecurrentSpec(RecurrentKind.Lstm, units);
        var single = RecurrentLayerRun.Run(new CpuBackend<float>(threads: 2), spec, batch: 9, steps: 6, inputs: 5, units);
        var reference = RecurrentLayerRun.Run(new CpuBackend<double>(threads: 1), spec, batch: 9, steps: 6, inputs: 5, units);
        RecurrentLayerRun.AssertSame(single, reference, 2e-5, "in float", "in double");
    }
}
