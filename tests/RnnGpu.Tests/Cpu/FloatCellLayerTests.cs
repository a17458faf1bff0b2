using RnnGpu.Backends;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// Whole float recurrent layers on the CPU, which take the fused cells (<see cref="RnnGpu.Backends.Cpu.FloatLstmCell"/>,
/// <see cref="RnnGpu.Backends.Cpu.FloatGruCell"/>) for unmasked rows at least a register wide and the generic kernels
/// otherwise, against the same layers in double: forward and backward, with a mask, initial states and every gradient.
/// The 7-unit layers stay below every register width, so the generic float path is checked the same way.
/// </summary>
[TestFixture]
public sealed class FloatCellLayerTests
{
    public static IEnumerable<TestCaseData> Layers()
    {
        foreach (int units in new[] { 7, 40 })
        {
            yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Lstm, units)).SetName($"Lstm-{units}");
            yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Gru, units, ResetAfter: true)).SetName($"Gru-after-{units}");
            yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Gru, units, ResetAfter: false)).SetName($"Gru-before-{units}");
        }
    }

    [TestCaseSource(nameof(Layers))]
    public void FloatLayerMatchesTheDoubleLayer(RecurrentSpec spec)
    {
        var single = RecurrentLayerRun.Run(new CpuBackend<float>(threads: 2), spec, batch: 9, steps: 6, inputs: 5, spec.Units);
        var reference = RecurrentLayerRun.Run(new CpuBackend<double>(threads: 1), spec, batch: 9, steps: 6, inputs: 5, spec.Units);
        RecurrentLayerRun.AssertSame(single, reference, 2e-5, "in float", "in double");
    }
}
