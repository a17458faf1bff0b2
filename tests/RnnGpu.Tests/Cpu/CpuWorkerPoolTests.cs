using NUnit.Framework;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Tests.Cpu;

/// <summary>
/// <see cref="CpuWorkerPool"/>: every part runs exactly once whoever claims it, the workers survive an exception, and
/// nested or concurrent regions (which fall back to the thread pool) still run every part.
/// </summary>
[TestFixture]
public sealed class CpuWorkerPoolTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(17)]
    public void EveryPartRunsExactlyOnce(int parts)
    {
        for (int round = 0; round < 200; round++)
        {
            var runs = new int[parts];
            CpuWorkerPool.For(parts, part => Interlocked.Increment(ref runs[part]));
            Assert.That(runs, Is.All.EqualTo(1), $"round {round}");
        }
    }

    [Test]
    public void AnExceptionReachesTheCallerAfterEveryPartAndThePoolStillWorks()
    {
        int finished = 0;
        var error = Assert.Throws<InvalidOperationException>(() => CpuWorkerPool.For(8, part =>
        {
            if (part == 3) throw new InvalidOperationException("part 3 failed");
            Thread.SpinWait(10_000);
            Interlocked.Increment(ref finished);
        }));
        Assert.That(error!.Message, Is.EqualTo("part 3 failed"));
        Assert.That(finished, Is.EqualTo(7), "the other parts all ran before the call returned");

        var runs = new int[5];
        CpuWorkerPool.For(5, part => Interlocked.Increment(ref runs[part]));
        Assert.That(runs, Is.All.EqualTo(1));
    }

    [Test]
    public void NestedRegionsRunEveryPart()
    {
        var runs = new int[4, 6];
        CpuWorkerPool.For(4, outer => CpuWorkerPool.For(6, inner => Interlocked.Increment(ref runs[outer, inner])));
        Assert.That(runs.Cast<int>(), Is.All.EqualTo(1));
    }

    [Test]
    public void ConcurrentCallersEachGetAllTheirParts()
    {
        const int callers = 4, rounds = 300, parts = 3;
        var totals = new long[callers];
        var threads = Enumerable.Range(0, callers).Select(c => new Thread(() =>
        {
            for (int r = 0; r < rounds; r++)
                CpuWorkerPool.For(parts, part => Interlocked.Add(ref totals[c], part + 1));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.That(totals, Is.All.EqualTo(rounds * (1 + 2 + 3)));
    }
}
