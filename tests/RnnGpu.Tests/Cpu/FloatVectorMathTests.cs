using RnnGpu.Backends.Cpu;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// The float-only exp, sigmoid and tanh of the fused CPU cells against double-precision <see cref="Math"/>, over
/// dense sweeps of the ranges a cell sees, plus the edge values (zeros, infinities, NaN); at each register width the
/// machine runs.
/// </summary>
[TestFixture(typeof(FloatLanes256))]
[TestFixture(typeof(FloatLanes512))]
internal sealed class FloatVectorMathTests<TV> where TV : struct, IFloatLanes<TV>
{
    [OneTimeSetUp]
    public void RequireTheWidth() => Assume.That(TV.IsHardwareAccelerated, $"{typeof(TV).Name} is not accelerated on this machine");

    /// <summary>Relative error bound: 3 units in the last place of a float (2^-23 relative each).</summary>
    private const double Tolerance = 3 * 1.1920929e-7;

    private static float[] Sweep(float from, float to, int count) =>
        Enumerable.Range(0, count).Select(k => from + (to - from) * k / (count - 1)).ToArray();

    private static float[] Apply(Func<TV, TV> f, float[] x)
    {
        int w = TV.Count;
        var padded = new float[(x.Length + w - 1) / w * w];
        x.CopyTo(padded, 0);
        var y = new float[padded.Length];
        for (int j = 0; j < padded.Length; j += w) TV.Store(f(TV.Load(ref padded[0], (nuint)j)), ref y[0], (nuint)j);
        return y[..x.Length];
    }

    private static void AssertRelative(string name, Func<TV, TV> f, Func<double, double> exact, float[] x)
    {
        var y = Apply(f, x);
        int worst = Enumerable.Range(0, x.Length).MaxBy(k => Math.Abs(y[k] - exact(x[k])) / Math.Abs(exact(x[k])));
        double want = exact(x[worst]);
        Assert.That(Math.Abs(y[worst] - want) / Math.Abs(want), Is.LessThanOrEqualTo(Tolerance),
            $"{name}({x[worst]:R}) = {y[worst]:R}, exactly {want:R}");
    }

    [Test]
    public void ExpIsAccurateOverTheNormalRange() =>
        AssertRelative("exp", FloatVectorMath.Exp<TV>, Math.Exp, Sweep(-87f, 88f, 400_001));

    [Test]
    public void SigmoidIsAccurate() =>
        AssertRelative("sigmoid", FloatVectorMath.Sigmoid<TV>, v => 1 / (1 + Math.Exp(-v)), Sweep(-80f, 40f, 400_001));

    [Test]
    public void TanhIsAccurateIncludingNearZero()
    {
        var x = Sweep(-12f, 12f, 400_000).Concat(Sweep(-1e-3f, 1e-3f, 10_000)).Concat([1e-30f, -1e-30f, 0.625f, -0.625f]).ToArray();
        AssertRelative("tanh", FloatVectorMath.Tanh<TV>, Math.Tanh, x);
    }

    [Test]
    public void EdgeValues()
    {
        float[] x = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f, -0f, 1000f, -1000f];
        var tanh = Apply(FloatVectorMath.Tanh<TV>, x);
        var sigmoid = Apply(FloatVectorMath.Sigmoid<TV>, x);
        Assert.Multiple(() =>
        {
            Assert.That(tanh[..2], Is.EqualTo(new[] { 1f, -1f }));
            Assert.That(float.IsNaN(tanh[2]) && float.IsNaN(sigmoid[2]) && float.IsNaN(Apply(FloatVectorMath.Exp<TV>, x)[2]), "NaN must propagate");
            Assert.That(tanh[3], Is.EqualTo(0f));
            Assert.That(float.IsNegative(tanh[4]), "tanh(−0) = −0");
            Assert.That(tanh[5..], Is.EqualTo(new[] { 1f, -1f }));
            Assert.That(sigmoid[0], Is.EqualTo(1f));
            Assert.That(sigmoid[1], Is.InRange(0f, 1e-37f));
            Assert.That(sigmoid[3], Is.EqualTo(0.5f));
        });
    }
}
