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

        FloatLstmCell<TV>.Forward(act.F, rec.F, c.F, hF, cOutF, stride: h);
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

        FloatLstmCell<TV>.Backward(act.F, cNow.F, cPrev.F, dOut.F, gateF, dh.F, dc.F, stride: h);
        CpuCellKernels<double>.LstmBackward(ActivationKind.Tanh, act.D, cNow.D, cPrev.D, dOut.D, gateD, dh.D, dc.D,
            new double[h], new double[h], new double[h]);

        AssertClose("gate gradients", gateF, gateD);
        AssertClose("dc_prev", dc.F, dc.D);
        Assert.That(dh.F, Is.All.EqualTo(0f), "dh is cleared for the recurrent GEMM to accumulate into");
    }

    /// <summary>Rows wide enough to be cut into two blocks of units of at least one register each.</summary>
    public static IEnumerable<int> SplittableWidths() => Widths().Where(n => n >= 2 * TV.Count);

    /// <summary>
    /// A thread that owns units [j0, j0 + w) passes the rows from j0 with the layer's width as stride: two such blocks
    /// must give exactly the whole row's results (the lanes are independent, so not even rounding may differ).
    /// </summary>
    [Test]
    public void BlocksOfUnitsEqualTheWholeRow([ValueSource(nameof(SplittableWidths))] int h)
    {
        var rng = new Random(200 + h);
        var act = Random(rng, 4 * h, 3).F; var rec = Random(rng, 4 * h, 3).F; var c = Random(rng, h, 2).F;
        var (wholeAct, wholeC, wholeH, wholeTape) = ((float[])act.Clone(), (float[])c.Clone(), new float[h], new float[h]);
        FloatLstmCell<TV>.Forward(wholeAct, rec, wholeC, wholeH, wholeTape, stride: h);
        var hs = new float[h]; var tape = new float[h];
        foreach (var (j0, w) in new[] { (0, TV.Count), (TV.Count, h - TV.Count) })
            FloatLstmCell<TV>.Forward(act.AsSpan(j0), rec.AsSpan(j0), c.AsSpan(j0, w), hs.AsSpan(j0, w), tape.AsSpan(j0, w), stride: h);
        Assert.That((act, c, hs, tape), Is.EqualTo((wholeAct, wholeC, wholeH, wholeTape)), "forward");

        var cPrev = Random(rng, h, 2).F; var dOut = Random(rng, h, 1).F; var dh = Random(rng, h, 1).F; var dc = Random(rng, h, 1).F;
        var (wholeGate, wholeDh, wholeDc) = (new float[4 * h], (float[])dh.Clone(), (float[])dc.Clone());
        FloatLstmCell<TV>.Backward(act, c, cPrev, dOut, wholeGate, wholeDh, wholeDc, stride: h);
        var gate = new float[4 * h];
        foreach (var (j0, w) in new[] { (0, TV.Count), (TV.Count, h - TV.Count) })
            FloatLstmCell<TV>.Backward(act.AsSpan(j0), c.AsSpan(j0, w), cPrev.AsSpan(j0, w), dOut.AsSpan(j0, w), gate.AsSpan(j0), dh.AsSpan(j0, w),
                dc.AsSpan(j0, w), stride: h);
        Assert.That((gate, dh, dc), Is.EqualTo((wholeGate, wholeDh, wholeDc)), "backward");
    }
}
