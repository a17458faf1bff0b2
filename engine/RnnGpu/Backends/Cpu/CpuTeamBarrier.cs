using System.Diagnostics;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The barrier of one <see cref="CpuWorkerPool.Team"/>. Every member runs on its own core at the same time, so a wait
/// is spent spinning (0.08 µs per barrier between the two cores of the development VM); but a member whose core was
/// taken by another process may not arrive for a whole scheduler time slice, so after <see cref="SpinTime"/> a waiter
/// blocks instead of burning the core that member may need.
/// A member that fails breaks the barrier, and the others, instead of waiting forever, leave with
/// <see cref="OperationCanceledException"/> (the team reports the failing member's exception, not these).
/// </summary>
internal sealed class CpuTeamBarrier
{
    /// <summary>
    /// How long a waiter spins before it blocks: longer than a blocked thread takes to wake up. A waiter that blocks makes
    /// the member that wakes it late in turn, by that wake-up time (on the development VM, where an idle core halts,
    /// often over 100 µs); with a spin shorter than that, the two would block alternately at every step (measured: a
    /// 100 µs spin doubled the time of a batch-16 LSTM(128) layer).
    /// </summary>
    public static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(1);

    private static readonly long s_spinTicks = (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
    private readonly int _members;
    private readonly object _lock = new();
    private int _arrived, _phase, _sleepers;
    private volatile bool _broken;

    /// <summary>A barrier for <paramref name="members"/> threads (one: every wait returns at once).</summary>
    public CpuTeamBarrier(int members) => _members = members;

    /// <summary>Whether a member has broken the barrier.</summary>
    public bool IsBroken => _broken;

    /// <summary>Waits until every member has arrived here (memory written before the call is visible after it).</summary>
    public void SignalAndWait()
    {
        if (_members == 1) return;
        int phase = Volatile.Read(ref _phase);
        if (Interlocked.Increment(ref _arrived) == _members)
        {
            // Last to arrive: reset the count, then open the next phase (a full fence, so the sleeper count read after
            // it is current: a waiter that went to sleep before this sees the new phase or gets the pulse).
            Volatile.Write(ref _arrived, 0);
            Interlocked.Exchange(ref _phase, phase + 1);
            if (Volatile.Read(ref _sleepers) > 0) lock (_lock) Monitor.PulseAll(_lock);
            return;
        }
        long spinUntil = Stopwatch.GetTimestamp() + s_spinTicks;
        var spinner = new SpinWait();
        while (Volatile.Read(ref _phase) == phase && !_broken)
        {
            if (Stopwatch.GetTimestamp() < spinUntil)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
                continue;
            }
            lock (_lock)
            {
                Interlocked.Increment(ref _sleepers);
                while (Volatile.Read(ref _phase) == phase && !_broken) Monitor.Wait(_lock);
                _sleepers--;
            }
        }
        if (_broken) throw new OperationCanceledException("Another member of the team failed.");
    }

    /// <summary>Releases every waiting member (with <see cref="OperationCanceledException"/>) after a member failed.</summary>
    public void Break()
    {
        _broken = true;
        lock (_lock) Monitor.PulseAll(_lock);
    }
}
