using NUnit.Framework;
using RnnGpu.Cuda;

namespace RnnGpu.Tests.Cuda;

/// <summary>The op profiler's table: sums and counts by name, longest first, totals by prefix.</summary>
public sealed class OpTimeTableTests
{
    [Test]
    public void SumsByNameLongestFirst()
    {
        var table = new OpTimeTable();
        table.Add("lstm_forward_steps_f32", 0.002);
        table.Add("gemm 16x512x128 NN", 0.010);
        table.Add("lstm_forward_steps_f32", 0.003);
        table.Add("gemm 1600x512x128 NN", 0.050);

        Assert.That(table.Rows, Is.EqualTo(new[]
        {
            new OpTimeRow("gemm 1600x512x128 NN", 1, 0.050),
            new OpTimeRow("gemm 16x512x128 NN", 1, 0.010),
            new OpTimeRow("lstm_forward_steps_f32", 2, 0.005),
        }).Using<OpTimeRow>((a, b) => a.Name == b.Name && a.Count == b.Count && Math.Abs(a.TotalMilliseconds - b.TotalMilliseconds) < 1e-12));
        Assert.That(table.TotalMilliseconds, Is.EqualTo(0.065).Within(1e-12));
        Assert.That(table.MillisecondsOf("gemm "), Is.EqualTo(0.060).Within(1e-12));
    }
}
