using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Backends;

public sealed unsafe partial class CpuBackend<T>
{
    /// <summary>
    /// How recurrent layer calls share their time loop among threads, when set: tests and benchmarks force one way or
    /// the other to compare them; unset, each call picks (see <see cref="RecurrentUnitSplit.Applies"/>).
    /// </summary>
    internal RecurrentSplitKind? ForcedSplit { get; init; }

    /// <summary>The width unit blocks are aligned to: the GEMM kernel's column panel.</summary>
    private static int UnitAlign => CpuGemmKernel<T>.Columns;

    /// <summary>Whether this layer call splits its hidden units among threads (else its batch rows).</summary>
    private bool SplitsUnits(RecurrentSpec spec, RecurrentDims d) =>
        RecurrentUnitSplit.Applies(spec, d.B, d.H, d.GH, sizeof(T), Threads, UnitAlign, ForcedSplit);

    /// <summary>
    /// The forward time loop split by hidden units (<see cref="UnitForwardLoop"/>), from the initial state in
    /// <paramref name="state"/> and <paramref name="cell"/> to the final ones, h_T copied to the arguments' FinalH.
    /// </summary>
    private void ForwardByUnits(RecurrentSpec spec, RecurrentDims d, CpuRecurrentTape<T> tape, RecurrentForwardArgs args,
        CpuTensor<T> x, CpuTensor<T> w, CpuTensor<T> u, CpuTensor<T> bias, CpuTensor<T> state, CpuTensor<T> cell, CpuTensor<T> rec)
    {
        int gh = d.GH;
        using var next = NewFloat([d.B, d.H], zeroed: false);
        var activations = tape.Activations;
        Gemm(false, false, d.B * d.Steps, gh, d.I, T.One, x.Pointer, d.I, w.Pointer, gh, T.Zero, activations.Pointer, gh);
        AddRowVector(activations, BiasRow(bias, 0, gh), activations);
        var loop = new UnitForwardLoop
        {
            Spec = spec, D = d, KeepsEveryStep = tape.KeepsEveryStep, RecurrentKernel = u.Pointer,
            Act = activations.Pointer, HPrev = tape.HPrev.Pointer, Cells = tape.Cells.Pointer, GruExtra = tape.GruExtra.Pointer,
            Cell = cell.Pointer, Rec = rec.Pointer, Output = F(args.Output).Pointer, Mask = args.Mask is null ? null : F(args.Mask).Pointer,
            RecBias = d.TwoBiases ? bias.Pointer + gh : null, State = state.Pointer, NextState = next.Pointer,
        };
        CpuWorkerPool.Team(Threads, loop.Run);
        // The members swap the two state buffers at every step: after an odd number of steps h_T is in the second.
        Copy(d.Steps % 2 == 0 ? state : next, args.FinalH);
    }

    /// <summary>
    /// The forward time loop split by hidden units (<see cref="RecurrentUnitSplit"/>). The input projection of every
    /// step is one threaded GEMM up front; then each member runs every step for its units, reading h_t from one state
    /// buffer and writing h_t+1 to the other, so no member overwrites units another is still multiplying.
    /// </summary>
    private sealed class UnitForwardLoop : ForwardSteps
    {
        public T* RecurrentKernel, NextState;

        /// <summary>Runs every step for the units of <paramref name="member"/>.</summary>
        public void Run(int member, int members, CpuTeamBarrier barrier)
        {
            int h = D.H, gh = D.GH, steps = D.Steps, batch = D.B, gates = Spec.Gates;
            var (j0, j1) = RecurrentUnitSplit.Units(h, member, members, UnitAlign);
            int w = j1 - j0;

            // This member's columns of every gate block of U, side by side in one contiguous h × G·w block copied by the
            // member itself (into its own core's cache): one product per step covers all its gates, and reading the
            // columns in place instead would put rows G·H apart into the same few cache sets (at G·H = 1024 floats,
            // every row on the same 4 KB boundary). Packed from there when the batch repays it.
            int gw = gates * w;
            T* slice = (T*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, h * gw) * (nuint)sizeof(T), 64);
            T* product = (T*)NativeMemory.AlignedAlloc((nuint)Math.Max(1, batch * gw) * (nuint)sizeof(T), 64);
            CpuPackedMatrix<T>? packed = null;
            try
            {
                for (int p = 0; p < h; p++)
                    for (int g = 0; g < gates; g++)
                        new ReadOnlySpan<T>(RecurrentKernel + (nint)p * gh + g * h + j0, w).CopyTo(new Span<T>(slice + (nint)p * gw + g * w, w));
                packed = new CpuPackedMatrix<T>(false, batch, h, gw, slice, gw);
                var scratch = new T[w];
                T* current = State, next = NextState;
                for (int t = 0; t < steps; t++)
                {
                    if (w > 0) CpuGemm.GemmPacked(false, batch, h, T.One, current, h, packed, T.Zero, product, gw, maxThreads: 1);

                    for (int b = 0; b < batch && w > 0; b++)
                    {
                        int row = b * steps + t;
                        var previous = Units(current, b, h, j0, w);
                        if (KeepsEveryStep) previous.CopyTo(Units(HPrev, row, h, j0, w));
                        // The cell updates the state in place: start from h_t.
                        var hb = Units(next, b, h, j0, w);
                        previous.CopyTo(hb);
                        var rb = Row(Rec, b, gh)[j0..];
                        for (int g = 0; g < gates; g++) new ReadOnlySpan<T>(product + (nint)b * gw + g * w, w).CopyTo(rb.Slice(g * h, w));
                        CellStep(b, t, j0, hb, scratch);
                        hb.CopyTo(Units(Output, row, h, j0, w));
                    }
                    barrier.SignalAndWait(); // h_t+1 is whole: every member has written its units
                    T* read = current;
                    current = next;
                    next = read;
                }
            }
            finally
            {
                packed?.Dispose();
                NativeMemory.AlignedFree(slice);
                NativeMemory.AlignedFree(product);
            }
        }
    }

    /// <summary>
    /// The backward time loop split by hidden units, the mirror of <see cref="UnitForwardLoop"/>: each member turns the
    /// state gradients of its units into their gate gradients, and after the step's barrier (every gate gradient of the
    /// step written) adds dGates_t · U[units, :]ᵀ to its units of ∂h_prev, reading only its own rows of U.
    /// </summary>
    private sealed class UnitBackwardLoop : BackwardSteps
    {
        public T* RecurrentKernel;

        /// <summary>Runs every step, last to first, for the units of <paramref name="member"/>.</summary>
        public void Run(int member, int members, CpuTeamBarrier barrier)
        {
            int h = D.H, gh = D.GH, steps = D.Steps, batch = D.B;
            var (j0, j1) = RecurrentUnitSplit.Units(h, member, members, UnitAlign);
            int w = j1 - j0;

            // Rows j0..j1 of U are the columns of Uᵀ this member's units of ∂h_prev need.
            using var packedUt = new CpuPackedMatrix<T>(true, batch, gh, w, RecurrentKernel + (nint)j0 * gh, gh);
            var scratch = new T[3 * w];
            var t1 = scratch.AsSpan(0, w); var t2 = scratch.AsSpan(w, w); var t3 = scratch.AsSpan(2 * w, w);
            for (int t = steps - 1; t >= 0; t--)
            {
                for (int b = 0; b < batch && w > 0; b++) CellStep(b, t, j0, w, t1, t2, t3);
                barrier.SignalAndWait(); // every gate gradient of step t is written
                if (w > 0)
                    CpuGemm.GemmPacked(false, batch, gh, T.One, DRecurrent + (nint)t * gh, steps * gh, packedUt, T.One, Dh + j0, h, maxThreads: 1);
            }
        }
    }
}
