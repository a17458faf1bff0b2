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

    /// <summary>
    /// A team's members run at once on threads of their own: each writes its slot, waits at the barrier, and must then
    /// see every other member's slot, round after round (a member run after another on the same thread would wait forever).
    /// </summary>
    [Test]
    public void TeamMembersRunTogetherAndMeetAtTheBarrier()
    {
        int expected = Math.Min(2, Environment.ProcessorCount);
        for (int round = 0; round < 200; round++)
        {
            var slots = new int[expected];
            var seen = new int[expected];
            int count = 0;
            CpuWorkerPool.Team(2, (member, members, barrier) =>
            {
                Interlocked.Exchange(ref count, members);
                for (int phase = 1; phase <= 3; phase++)
                {
                    Volatile.Write(ref slots[member], phase);
                    barrier.SignalAndWait();
                    seen[member] += slots.Count(s => s >= phase);
                    barrier.SignalAndWait();
                }
            });
            Assert.That(count, Is.EqualTo(expected), $"round {round}");
            Assert.That(seen, Is.All.EqualTo(3 * expected), $"round {round}");
        }
    }

    [Test]
    public void AFailingMemberReleasesTheOthersAndItsExceptionReachesTheCaller()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CpuWorkerPool.Team(2, (member, members, barrier) =>
        {
            if (member == members - 1) throw new InvalidOperationException("member failed");
            barrier.SignalAndWait();
        }));
        Assert.That(error!.Message, Is.EqualTo("member failed"));

        int ran = 0;
        CpuWorkerPool.Team(2, (_, _, barrier) =>
        {
            barrier.SignalAndWait();
            Interlocked.Increment(ref ran);
        });
        Assert.That(ran, Is.EqualTo(Math.Min(2, Environment.ProcessorCount)), "the pool still works");
    }

    [Test]
    public void ANestedTeamRunsItsCallerAlone()
    {
        var inner = new int[2];
        CpuWorkerPool.For(2, outer => CpuWorkerPool.Team(4, (member, members, barrier) =>
        {
            barrier.SignalAndWait();
            inner[outer] = members;
        }));
        Assert.That(inner, Is.All.EqualTo(1));
    }
}
