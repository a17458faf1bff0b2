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

        FloatGruCell<TV>.Forward(act.F, rec.F, recBias.F, recHF, hState.F, stride: h);
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

        FloatGruCell<TV>.Backward(act.F, recH.F, hPrev.F, dOut.F, gateF, recurrentF, dh.F, stride: h);
        CpuCellKernels<double>.GruAfterBackward(ActivationKind.Tanh, act.D, recH.D, hPrev.D, dOut.D, gateD, recurrentD, dh.D,
            new double[h], new double[h]);

        AssertClose("gate gradients", gateF, gateD);
        AssertClose("recurrent gate gradients", recurrentF, recurrentD);
        AssertClose("z ⊙ dh", dh.F, dh.D);
    }

    /// <summary>Rows wide enough to be cut into two blocks of units of at least one register each.</summary>
    public static IEnumerable<int> SplittableWidths() => Widths().Where(n => n >= 2 * TV.Count);

    /// <summary>Two blocks of units, each passed from its first unit with the layer's width as stride, give exactly the whole row's results.</summary>
    [Test]
    public void BlocksOfUnitsEqualTheWholeRow([ValueSource(nameof(SplittableWidths))] int h)
    {
        var rng = new Random(200 + h);
        var act = Random(rng, 3 * h, 3).F; var rec = Random(rng, 3 * h, 3).F; var recBias = Random(rng, 3 * h, 0.5).F; var hs = Random(rng, h, 1).F;
        var (wholeAct, wholeRecH, wholeH) = ((float[])act.Clone(), new float[h], (float[])hs.Clone());
        FloatGruCell<TV>.Forward(wholeAct, rec, recBias, wholeRecH, wholeH, stride: h);
        var recH = new float[h];
        var hPrev = (float[])hs.Clone();
        foreach (var (j0, w) in new[] { (0, TV.Count), (TV.Count, h - TV.Count) })
            FloatGruCell<TV>.Forward(act.AsSpan(j0), rec.AsSpan(j0), recBias.AsSpan(j0), recH.AsSpan(j0, w), hs.AsSpan(j0, w), stride: h);
        Assert.That((act, recH, hs), Is.EqualTo((wholeAct, wholeRecH, wholeH)), "forward");

        var dOut = Random(rng, h, 1).F; var dh = Random(rng, h, 1).F;
        var (wholeGate, wholeRecurrent, wholeDh) = (new float[3 * h], new float[3 * h], (float[])dh.Clone());
        FloatGruCell<TV>.Backward(act, recH, hPrev, dOut, wholeGate, wholeRecurrent, wholeDh, stride: h);
        var gate = new float[3 * h]; var recurrent = new float[3 * h];
        foreach (var (j0, w) in new[] { (0, TV.Count), (TV.Count, h - TV.Count) })
            FloatGruCell<TV>.Backward(act.AsSpan(j0), recH.AsSpan(j0, w), hPrev.AsSpan(j0, w), dOut.AsSpan(j0, w), gate.AsSpan(j0), recurrent.AsSpan(j0),
                dh.AsSpan(j0, w), stride: h);
        Assert.That((gate, recurrent, dh), Is.EqualTo((wholeGate, wholeRecurrent, wholeDh)), "backward");
    }
}
