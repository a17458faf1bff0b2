namespace RnnGpu.Tests.Support;

/// <summary>
/// Random inputs held in float and, with the very same values, in double, for comparing a float kernel against the
/// double reference; and the comparison.
/// </summary>
internal static class FloatDoublePair
{
    /// <summary><paramref name="n"/> values uniform in (−scale, scale), as float and as the same values in double.</summary>
    public static (float[] F, double[] D) Random(Random rng, int n, double scale)
    {
        var f = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
        return (f, f.Select(v => (double)v).ToArray());
    }

    /// <summary>Every element within <paramref name="tolerance"/> relative to max(1, |expected|).</summary>
    public static void AssertClose(string what, float[] actual, double[] expected, double tolerance = 2e-6)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int k = 0; k < expected.Length; k++)
            Assert.That(actual[k], Is.EqualTo(expected[k]).Within(tolerance * Math.Max(1, Math.Abs(expected[k]))), $"{what}[{k}]");
    }
}
