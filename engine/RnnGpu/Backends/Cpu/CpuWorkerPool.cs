using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The CPU backend's fork-join workers: threads of its own that keep spinning for a short while after each parallel
/// region, the way OpenMP runtimes do, so the next region starts on threads that are already running.
/// </summary>
/// <remarks>
/// A training step forks and joins several times (the time loops, the weight-gradient GEMMs) with short serial stretches
/// in between. Thread-pool workers park after a few microseconds of idling, and waking a parked thread costs tens of
/// microseconds on a virtual machine (measured on the 2-core development VM: a 2-part <c>Parallel.For</c> of 30 µs parts
/// after 200 µs of serial work took 80 µs at the median, against 31 µs back to back; in one call of ten the caller
/// ran both parts itself because the worker woke too late). Here workers spin for <see cref="SpinTime"/> before they
/// block, and parts are claimed dynamically, so a late worker never delays the caller: it only takes what is left.
/// One region runs at a time; a call that finds the workers busy (a nested or concurrent one) falls back to
/// <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>. A <see cref="Team"/> is the other kind of
/// region: one part per thread, all running at once, so its members can meet at a barrier (a recurrent layer split by
/// hidden units meets once per timestep).
/// </remarks>
internal static class CpuWorkerPool
{
    /// <summary>How long an idle worker spins before it blocks: longer than the serial gaps inside a training step.</summary>
    public static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(2);

    private static readonly long s_spinTicks = (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
    private static readonly object s_startLock = new();
    private static readonly SemaphoreSlim s_wake = new(0);
    private static Thread[] s_workers = [];
    private static Region? s_region;
    private static int s_generation, s_sleepers, s_busy;

    /// <summary>
    /// Runs <paramref name="body"/>(part) for every part in [0, <paramref name="parts"/>) on the calling thread and up to
    /// <paramref name="parts"/> − 1 workers, and returns when all are done. An exception from a part is rethrown here
    /// once every part has finished.
    /// </summary>
    public static void For(int parts, Action<int> body)
    {
        if (parts <= 1)
        {
            if (parts == 1) body(0);
            return;
        }
        if (Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, body);
            return;
        }
        try
        {
            EnsureWorkers(parts - 1);
            var region = new Region(parts, body);
            Run(region, parts);
            region.Error?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(member, members, barrier) on up to <paramref name="members"/> threads at once, each
    /// member on a thread of its own (the caller and members − 1 workers), so members may wait for one another at the
    /// barrier. Fewer members run when there are fewer cores, and the caller runs alone (as member 0 of 1) when the
    /// workers are busy (a nested or concurrent call): <paramref name="body"/> must share its work by the count it is
    /// given. A member's exception breaks the barrier and is rethrown here once every member has left.
    /// </summary>
    public static void Team(int members, Action<int, int, CpuTeamBarrier> body)
    {
        members = Math.Min(members, Environment.ProcessorCount);
        if (members <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            body(0, 1, new CpuTeamBarrier(1));
            return;
        }
        try
        {
            EnsureWorkers(members - 1);
            members = Math.Min(members, s_workers.Length + 1);
            var barrier = new CpuTeamBarrier(members);
            ExceptionDispatchInfo? failure = null;
            var region = new Region(members, member =>
            {
                try
                {
                    body(member, members, barrier);
                }
                catch (OperationCanceledException) when (barrier.IsBroken)
                {
                    // Left the barrier because another member failed: that member's exception is the one reported.
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                    barrier.Break();
                }
            }, onePartEach: true);
            Run(region, members);
            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    /// <summary>
    /// Publishes <paramref name="region"/> to the workers (waking up to <paramref name="parts"/> − 1 sleeping ones),
    /// helps with it on the calling thread, and returns once every part has finished.
    /// </summary>
    private static void Run(Region region, int parts)
    {
        Volatile.Write(ref s_region, region);
        Interlocked.Increment(ref s_generation);
        int sleepers = Volatile.Read(ref s_sleepers);
        if (sleepers > 0) s_wake.Release(Math.Min(sleepers, parts - 1));
        region.Help();
        region.WaitForAll();
        Volatile.Write(ref s_region, null);
    }

    /// <summary>Starts workers until there are at least <paramref name="count"/> (never more than the cores − 1).</summary>
    private static void EnsureWorkers(int count)
    {
        count = Math.Min(count, Environment.ProcessorCount - 1);
        if (s_workers.Length >= count) return;
        lock (s_startLock)
        {
            var workers = s_workers;
            if (workers.Length >= count) return;
            var grown = new Thread[count];
            workers.CopyTo(grown, 0);
            for (int i = workers.Length; i < count; i++)
            {
                // The worker starts from the generation before the region its caller is about to publish: read on the
                // new thread instead, it could already be that region's, which the worker would then never join (a
                // team whose member never comes waits at its barrier forever).
                int generation = Volatile.Read(ref s_generation);
                grown[i] = new Thread(() => WorkerLoop(generation)) { IsBackground = true, Name = $"RnnGpu CPU worker {i + 1}" };
                grown[i].Start();
            }
            s_workers = grown;
        }
    }

    /// <summary>Waits for a new region (spinning for <see cref="SpinTime"/>, then blocked), helps with it, repeats.</summary>
    /// <param name="seen">The last generation this worker is not to join.</param>
    private static void WorkerLoop(int seen)
    {
        while (true)
        {
            long spinUntil = Stopwatch.GetTimestamp() + s_spinTicks;
            while (Volatile.Read(ref s_generation) == seen)
            {
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    Thread.SpinWait(32);
                    continue;
                }
                // Announce the sleep before the last look, so a region published after that look also sees the sleeper
                // and releases the semaphore (a release nobody needed only causes one extra lap of this loop).
                Interlocked.Increment(ref s_sleepers);
                if (Volatile.Read(ref s_generation) == seen) s_wake.Wait();
                Interlocked.Decrement(ref s_sleepers);
                spinUntil = Stopwatch.GetTimestamp() + s_spinTicks;
            }
            seen = Volatile.Read(ref s_generation);
            Volatile.Read(ref s_region)?.Help();
        }
    }

    /// <summary>
    /// One parallel region: its parts are claimed one at a time by whichever thread asks next; in a team
    /// (<paramref name="onePartEach"/>) a thread claims one part at most, so every part runs on a thread of its own.
    /// </summary>
    private sealed class Region(int parts, Action<int> body, bool onePartEach = false)
    {
        private int _next, _done;

        /// <summary>The first exception a part threw.</summary>
        public ExceptionDispatchInfo? Error { get; private set; }

        /// <summary>Claims and runs parts until none is left.</summary>
        public void Help()
        {
            int part;
            while ((part = Interlocked.Increment(ref _next) - 1) < parts)
            {
                try
                {
                    body(part);
                }
                catch (Exception e)
                {
                    lock (this) Error ??= ExceptionDispatchInfo.Capture(e);
                }
                Interlocked.Increment(ref _done);
                if (onePartEach) return;
            }
        }

        /// <summary>Spins until every part has finished (they are as long as the caller's own, so this is short).</summary>
        public void WaitForAll()
        {
            var spinner = new SpinWait();
            while (Volatile.Read(ref _done) < parts) spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
