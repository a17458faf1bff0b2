using RnnGpu.Backends;
using RnnGpu.Backends.Cpu;
using static RnnGpu.Tests.Support.FloatDoublePair;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// The fused float LSTM cell (<see cref="FloatLstmCell{TV}"/>) against the generic kernels in double, one row at a
/// time, at each register width the machine runs, for rows of one register, whole multiples of it, and in between
/// (the overlapping last window).
/// </summary>
[TestFixture(typeof(FloatLanes256))]
[TestFixture(typeof(FloatLanes512))]
internal sealed class FloatLstmCellTests<TV> where TV : struct, IFloatLanes<TV>
{
    /// <summary>Row widths from one register up: whole multiples, one over, one under.</summary>
    public static IEnumerable<int> Widths() => new[] { 8, 13, 16, 17, 30, 31, 37, 128 }.Where(n => n >= TV.Count);

    [OneTimeSetUp]
    public void RequireTheWidth() => Assume.That(TV.IsHardwareAccelerated, $"{typeof(TV).Name} is not accelerated on this machine");

    [Test]
    public void ForwardMatchesTheGenericKernels([ValueSource(nameof(Widths))] int h)
    {
        var rng = new Random(h);
        var act = Random(rng, 4 * h, 3); var rec = Random(rng, 4 * h, 3); var c = Random(rng, h, 2);
        var hF = new float[h]; var cOutF = new float[h];
        var hD = new double[h]; var cOutD = new double[h];

        FloatLstmCell<TV>.Forward(act.F, rec.F, c.F, hF, cOutF);
        CpuCellKernels<double>.LstmForward(ActivationKind.Tanh, act.D, rec.D, c.D, hD, cOutD, valid: true, new double[h]);

        AssertClose("gate activations", act.F, act.D);
        AssertClose("c", c.F, c.D);
        AssertClose("c on the tape", cOutF, cOutD);
        AssertClose("h", hF, hD);
    }

    [Test]
    public void BackwardMatchesTheGenericKernels([ValueSource(nameof(Widths))] int h, [Values] bool outputGradient)
    {
        var rng = new Random(100 + h);
        // Saved activations: sigmoids in (0, 1), the candidate in (−1, 1).
        var act = Random(rng, 4 * h, 1);
        for (int k = 0; k < 4 * h; k++)
            if (k / h != 2) act.D[k] = act.F[k] = MathF.Abs(act.F[k]);
        var cNow = Random(rng, h, 2); var cPrev = Random(rng, h, 2);
        var dOut = outputGradient ? Random(rng, h, 1) : (F: Array.Empty<float>(), D: Array.Empty<double>());
        var dh = Random(rng, h, 1); var dc = Random(rng, h, 1);
        var gateF = new float[4 * h]; var gateD = new double[4 * h];

        FloatLstmCell<TV>.Backward(act.F, cNow.F, cPrev.F, dOut.F, gateF, dh.F, dc.F);
        CpuCellKernels<double>.LstmBackward(ActivationKind.Tanh, act.D, cNow.D, cPrev.D, dOut.D, gateD, dh.D, dc.D,
            new double[h], new double[h], new double[h]);

        AssertClose("gate gradients", gateF, gateD);
        AssertClose("dc_prev", dc.F, dc.D);
        Assert.That(dh.F, Is.All.EqualTo(0f), "dh is cleared for the recurrent GEMM to accumulate into");
    }
}
