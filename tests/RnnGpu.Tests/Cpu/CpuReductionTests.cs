using RnnGpu.Backends;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// The float backend's Σ x and Σ x² (gradient-norm clipping) add blocks in double, so over a million elements they
/// agree with a sum in double to 1e-7 relative (Σ x against Σ|x|), on 512-bit and 256-bit vectors alike.
/// </summary>
[TestFixture]
public sealed class CpuReductionTests
{
    [TestCase(1)]
    [TestCase(4097)]
    [TestCase(1_000_003)]
    public void FloatSumsMatchTheSumsInDouble(int n)
    {
        var random = new Random(n);
        var values = new float[n];
        for (int i = 0; i < n; i++) values[i] = (float)(random.NextDouble() * 6 - 2.9);
        double sum = 0, magnitude = 0, squares = 0;
        foreach (float v in values)
        {
            sum += v;
            magnitude += Math.Abs(v);
            squares += (double)v * v;
        }

        var backend = new CpuBackend<float>(threads: 1);
        using var x = backend.Upload(values, [n]);
        Assert.Multiple(() =>
        {
            // The sum cancels: its rounding is relative to Σ|x|.
            Assert.That(backend.Sum(x), Is.EqualTo(sum).Within(1e-7 * magnitude), "Σ x");
            Assert.That(backend.SumOfSquares(x), Is.EqualTo(squares).Within(1e-7 * squares), "Σ x²");
        });
    }
}
