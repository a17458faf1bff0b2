namespace RnnGpu.Backends.Cpu;

/// <summary>
/// One way the CPU shares a recurrent layer's time loop among threads (the other, for small batches, is
/// <see cref="RecurrentUnitSplit"/>). Batch rows never interact through time, so
/// each part takes a contiguous block of rows and runs every timestep for them on its own: one fork and one join
/// per layer call, none per step (a parallel loop per step would pay its start-up cost T times for microseconds
/// of work each). The rows are dealt evenly (16 rows on two threads: 8 and 8), since the per-step GEMMs read a part's
/// rows in place and deal them evenly over their kernel tiles, and a short tile costs little more than its own rows.
/// </summary>
internal readonly record struct RecurrentBatchSplit(int Batch, int Parts, int GemmThreads)
{
    /// <summary>Recurrent multiply-adds (B·T·H·G·H) below which one thread does the whole loop.</summary>
    private const long MinParallelWork = 1 << 20;

    /// <summary>
    /// Splits <paramref name="batch"/> rows over at most <paramref name="threads"/> parts, down to one row per part.
    /// With a single part (one row, or too little work) the per-step GEMMs may still use every thread; with several,
    /// the threads left over are shared among the parts' GEMMs.
    /// </summary>
    public static RecurrentBatchSplit Plan(int batch, int steps, int h, int gh, int threads)
    {
        long work = (long)batch * steps * h * gh;
        int parts = work < MinParallelWork ? 1 : Math.Max(1, Math.Min(threads, batch));
        return new RecurrentBatchSplit(batch, parts, parts == 1 ? threads : Math.Max(1, threads / parts));
    }

    /// <summary>First row and end row (exclusive) of part <paramref name="part"/>.</summary>
    public (int Start, int End) Rows(int part) => ((int)((long)Batch * part / Parts), (int)((long)Batch * (part + 1) / Parts));

    /// <summary>The most rows any part has (what per-step GEMMs are packed for).</summary>
    public int LargestPart => (Batch + Parts - 1) / Parts;

    /// <summary>Runs <paramref name="body"/>(start, end, gemmThreads) for every part: inline for one, in parallel for several.</summary>
    public void Run(Action<int, int, int> body)
    {
        if (Parts == 1)
        {
            body(0, Batch, GemmThreads);
            return;
        }
        var self = this;
        CpuWorkerPool.For(Parts, part =>
        {
            var (start, end) = self.Rows(part); // never empty: there are no more parts than rows
            body(start, end, self.GemmThreads);
        });
    }
}
