using RnnGpu.Backends;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// The CPU backend's tensors start on a cache line (<see cref="CpuMemoryPool{TElement}.RentAligned"/>), new or reused
/// from the pool, so threads that split a buffer by whole lines never share one.
/// </summary>
[TestFixture]
public sealed unsafe class CpuMemoryPoolTests
{
    [Test]
    public void FloatAndDoubleTensorsStartOnACacheLineNewOrReused()
    {
        var floats = new CpuBackend<float>(threads: 1);
        var doubles = new CpuBackend<double>(threads: 1);
        foreach (int[] shape in new[] { new[] { 1 }, [3, 5], [7, 70], [16, 1024] })
        {
            for (int round = 0; round < 3; round++)
            {
                using var f = floats.NewFloat(shape, zeroed: round == 0);
                using var d = doubles.NewFloat(shape);
                Assert.That((long)f.Pointer % 64, Is.EqualTo(0L), $"float [{string.Join(", ", shape)}], round {round}");
                Assert.That((long)d.Pointer % 64, Is.EqualTo(0L), $"double [{string.Join(", ", shape)}], round {round}");
                Assert.That(f.Offset + f.Length, Is.LessThanOrEqualTo(f.Array.Length), "the tensor fits in its array");
                if (round == 0) Assert.That(f.Span.ToArray(), Is.All.EqualTo(0f), "a zeroed tensor reads zeros");
            }
        }
    }
}
