using RnnGpu.Backends;
using RnnGpu.Backends.Cpu;
using static RnnGpu.Tests.Support.FloatDoublePair;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// The fused float reset-after GRU cell (<see cref="FloatGruCell{TV}"/>) against the generic kernels in double, one
/// row at a time, at each register width the machine runs, for rows of one register, whole multiples of it, and in
/// between (the overlapping last window).
/// </summary>
[TestFixture(typeof(FloatLanes256))]
[TestFixture(typeof(FloatLanes512))]
internal sealed class FloatGruCellTests<TV> where TV : struct, IFloatLanes<TV>
{
    /// <summary>Row widths from one register up: whole multiples, one over, one under.</summary>
    public static IEnumerable<int> Widths() => new[] { 8, 13, 16, 17, 31, 50, 128 }.Where(n => n >= TV.Count);

    [OneTimeSetUp]
    public void RequireTheWidth() => Assume.That(TV.IsHardwareAccelerated, $"{typeof(TV).Name} is not accelerated on this machine");

    [Test]
    public void ForwardMatchesTheGenericKernels([ValueSource(nameof(Widths))] int h)
    {
        var rng = new Random(h);
        var act = Random(rng, 3 * h, 3); var rec = Random(rng, 3 * h, 3); var recBias = Random(rng, 3 * h, 0.5);
        var hState = Random(rng, h, 1);
        var recHF = new float[h]; var recHD = new double[h];

        FloatGruCell<TV>.Forward(act.F, rec.F, recBias.F, recHF, hState.F);
        CpuCellKernels<double>.GruAfterForward(ActivationKind.Tanh, act.D, rec.D, recBias.D, recHD, hState.D, valid: true);

        AssertClose("gate activations", act.F, act.D);
        AssertClose("h·U_h + b_rh", recHF, recHD);
        AssertClose("h", hState.F, hState.D);
    }

    [Test]
    public void BackwardMatchesTheGenericKernels([ValueSource(nameof(Widths))] int h, [Values] bool outputGradient)
    {
        var rng = new Random(100 + h);
        // Saved activations: z and r in (0, 1), the candidate in (−1, 1).
        var act = Random(rng, 3 * h, 1);
        for (int k = 0; k < 2 * h; k++) act.D[k] = act.F[k] = MathF.Abs(act.F[k]);
        var recH = Random(rng, h, 2); var hPrev = Random(rng, h, 1);
        var dOut = outputGradient ? Random(rng, h, 1) : (F: Array.Empty<float>(), D: Array.Empty<double>());
        var dh = Random(rng, h, 1);
        var gateF = new float[3 * h]; var gateD = new double[3 * h];
        var recurrentF = new float[3 * h]; var recurrentD = new double[3 * h];

        FloatGruCell<TV>.Backward(act.F, recH.F, hPrev.F, dOut.F, gateF, recurrentF, dh.F);
        CpuCellKernels<double>.GruAfterBackward(ActivationKind.Tanh, act.D, recH.D, hPrev.D, dOut.D, gateD, recurrentD, dh.D,
            new double[h], new double[h]);

        AssertClose("gate gradients", gateF, gateD);
        AssertClose("recurrent gate gradients", recurrentF, recurrentD);
        AssertClose("z ⊙ dh", dh.F, dh.D);
    }
}
