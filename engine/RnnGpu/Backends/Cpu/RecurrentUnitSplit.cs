namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The other way to share a recurrent layer's time loop (see <see cref="RecurrentBatchSplit"/> for the first): by
/// hidden units. Each member of a <see cref="CpuWorkerPool.Team"/> owns a block of units, the same block of every gate,
/// so it computes those columns of h·U for the whole batch and then the cell update of its units with nothing from
/// the others; the members meet at a barrier once per step, because the next step's product reads every unit of h.
/// </summary>
/// <remarks>
/// A batch split makes every thread read all of U at every step, and cannot share a batch of one at all; splitting
/// units makes each thread read only its slice of U, which stays in that core's cache from step to step (at H = 256 an
/// LSTM's U is 1 MB, the size of one core's L2 on the machines this was tuned on, so half of it fits and all of it
/// does not), and the work splits evenly whatever the batch. The price is a barrier per step (measured at 0.08 µs
/// between the two cores of the development VM) and, for the reset-before GRU, a second one inside the step, whose
/// candidate product needs every unit of r ⊙ h: that cell keeps the batch split.
/// </remarks>
internal static class RecurrentUnitSplit
{
    /// <summary>
    /// Size of U from which splitting units pays: half of a core's L2 on the machines this was tuned on (2-core Zen 5
    /// VM, 1 MB L2 per core). A smaller U stays in every core's cache under the batch split as well, and there the
    /// batch split's single fork beat a barrier per step (measured: LSTM(128) and GRU(128) at batch 16, 0.7–0.8×).
    /// </summary>
    public const long MinRecurrentKernelBytes = 512 * 1024;

    /// <summary>
    /// Batch rows above which the batch split is used: from there every thread has several kernel tiles of rows, its
    /// load is even, and the two ways measured the same (LSTM(256) and LSTM(512) at batch 24–64: 0.91–1.06×), while at
    /// batch 1–16 splitting units was up to 2× faster (LSTM(256) at batch 1: 1.4× inference, 1.8× training; LSTM(1024)
    /// at batch 4: 1.5×). Since the GEMM kernel runs a short tile at its own height, the batch split has caught up at
    /// batch 8–16 with LSTM(256) (the same within noise) and nearly with LSTM(512) at batch 16 (units 1.03–1.06×), while
    /// splitting units still wins at batch 2–4 (LSTM(256): 1.3–1.4×; LSTM(1024) at batch 4: 1.3×).
    /// </summary>
    public const int MaxBatch = 16;

    /// <summary>
    /// Size of U above which a batch of one keeps the batch split. Each member copies its slice of U once per call,
    /// which pays only while the slices then stay in the cores' L2 from step to step; at batch 2 and more the batch
    /// split packs U once per call as well, so the copy costs nothing extra there (measured at batch 1: LSTM(256), 1 MB,
    /// 1.4–1.8× faster split by units; LSTM(512), 4 MB, and LSTM(1024), 16 MB, 0.9–1.07× at T = 50, and DeepBench's
    /// LSTM(1024) at T = 25, 0.9× inference and 0.8× training).
    /// </summary>
    public const long MaxSingleRowKernelBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Whether a layer call should split its units rather than its batch rows over <paramref name="threads"/>:
    /// several threads, a cell without an inner dependency on all units (not the reset-before GRU), a small batch,
    /// a recurrent kernel of at least <see cref="MinRecurrentKernelBytes"/> (<paramref name="elementSize"/> bytes per
    /// element; at most <see cref="MaxSingleRowKernelBytes"/> at batch 1) and at least two aligned blocks of units
    /// (<paramref name="align"/> wide) to share. <paramref name="forced"/> (tests, benchmarks) overrides everything
    /// but the cell kind and the thread count.
    /// </summary>
    public static bool Applies(RecurrentSpec spec, int batch, int h, int gh, int elementSize, int threads, int align, RecurrentSplitKind? forced = null)
    {
        if (threads < 2 || (spec.Kind == RecurrentKind.Gru && !spec.ResetAfter)) return false;
        if (forced is { } kind) return kind == RecurrentSplitKind.Units;
        long kernelBytes = (long)h * gh * elementSize;
        return batch <= MaxBatch && kernelBytes >= MinRecurrentKernelBytes && (batch > 1 || kernelBytes <= MaxSingleRowKernelBytes)
            && h >= 2 * align;
    }

    /// <summary>
    /// Units [start, end) of member <paramref name="member"/> of <paramref name="members"/>: blocks of
    /// <paramref name="align"/> units (the GEMM kernel's column width, so each member's columns of U fill whole
    /// kernel panels), dealt out evenly; only the last block may be narrower.
    /// </summary>
    public static (int Start, int End) Units(int h, int member, int members, int align)
    {
        int blocks = (h + align - 1) / align;
        int start = (int)((long)blocks * member / members) * align;
        int end = Math.Min(h, (int)((long)blocks * (member + 1) / members) * align);
        return (start, end);
    }
}
