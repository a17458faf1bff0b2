using System.Numerics.Tensors;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Backends;

public sealed unsafe partial class CpuBackend<T>
{
    /// <inheritdoc />
    public RecurrentTape? RecurrentForward(RecurrentSpec spec, RecurrentForwardArgs args, bool keepForBackward)
    {
        var d = RecurrentDims.Of(spec, args);
        var tape = new CpuRecurrentTape<T>(this, spec, d, keepForBackward);
        var x = F(args.Input); var w = F(args.Kernel); var u = F(args.RecurrentKernel); var bias = F(args.Bias);
        int gh = d.GH, h = d.H;

        using var state = NewFloat([d.B, h], zeroed: false);
        using var cell = NewFloat([d.B, h]);
        using var rec = NewFloat([d.B, gh], zeroed: false);
        Copy(args.InitialH, state);
        if (spec.HasCellState) Copy(args.InitialC!, cell);

        if (SplitsUnits(spec, d)) ForwardByUnits(spec, d, tape, args, x, w, u, bias, state, cell, rec);
        else ForwardByBatchRows(spec, d, tape, args, x, w, u, bias, state, cell, rec);
        if (spec.HasCellState) Copy(cell, args.FinalC!);
        if (keepForBackward) return tape;
        tape.Dispose();
        return null;
    }

    /// <summary>
    /// The forward time loop split by batch rows (<see cref="RecurrentBatchSplit"/>), from the initial state in
    /// <paramref name="state"/> and <paramref name="cell"/> to the final ones, h_T copied to the arguments' FinalH.
    /// </summary>
    private void ForwardByBatchRows(RecurrentSpec spec, RecurrentDims d, CpuRecurrentTape<T> tape, RecurrentForwardArgs args,
        CpuTensor<T> x, CpuTensor<T> w, CpuTensor<T> u, CpuTensor<T> bias, CpuTensor<T> state, CpuTensor<T> cell, CpuTensor<T> rec)
    {
        int gh = d.GH, h = d.H;
        // The recurrent kernel is the same at every step: pack it for the GEMM once, not once per step.
        var split = RecurrentBatchSplit.Plan(d.B, d.Steps, h, gh, Threads);
        bool gruBefore = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter;
        T* uPtr = u.Pointer;
        using var packedU = new CpuPackedMatrix<T>(false, split.LargestPart, h, gruBefore ? 2 * h : gh, uPtr, gh);
        using var packedCandidate = gruBefore ? new CpuPackedMatrix<T>(false, split.LargestPart, h, h, uPtr + 2 * h, gh) : null;

        var loop = new ForwardLoop
        {
            Spec = spec, D = d, PackedU = packedU, PackedCandidate = packedCandidate, KeepsEveryStep = tape.KeepsEveryStep,
            Input = x.Pointer, Kernel = w.Pointer, InputBias = bias.Pointer,
            Act = tape.Activations.Pointer, HPrev = tape.HPrev.Pointer, Cells = tape.Cells.Pointer, GruExtra = tape.GruExtra.Pointer,
            State = state.Pointer, Cell = cell.Pointer, Rec = rec.Pointer, Output = F(args.Output).Pointer,
            Mask = args.Mask is null ? null : F(args.Mask).Pointer,
            RecBias = d.TwoBiases ? bias.Pointer + gh : null,
        };
        split.Run(loop.Run);
        Copy(state, args.FinalH);
    }

    /// <inheritdoc />
    public void RecurrentBackward(RecurrentSpec spec, RecurrentBackwardArgs args)
    {
        var fwd = args.Forward;
        var tape = (CpuRecurrentTape<T>)args.Tape;
        var d = RecurrentDims.Of(spec, fwd);
        int gh = d.GH, h = d.H, bs = d.B * d.Steps;
        bool gruAfter = spec.Kind == RecurrentKind.Gru && spec.ResetAfter, gruBefore = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter;

        using var dGates = NewFloat([bs, gh]);          // ∂loss/∂(pre-activation), rows b·T + t like the projection
        using var dRecurrent = gruAfter ? NewFloat([bs, gh]) : null; // reset-after GRU: what flows into h·U differs
        using var dh = NewFloat([d.B, h]);
        using var dc = NewFloat([d.B, h]);
        using var drh = gruBefore ? NewFloat([d.B, h]) : null;
        if (args.FinalHGrad is not null) Copy(args.FinalHGrad, dh);
        if (args.FinalCGrad is not null && spec.HasCellState) Copy(args.FinalCGrad, dc);

        T* u = F(fwd.RecurrentKernel).Pointer;
        T* dRec = dRecurrent is null ? dGates.Pointer : dRecurrent.Pointer;
        T* dOutput = args.OutputGrad is null ? null : F(args.OutputGrad).Pointer, mask = fwd.Mask is null ? null : F(fwd.Mask).Pointer;
        T* c0 = spec.HasCellState ? F(fwd.InitialC!).Pointer : null;
        if (SplitsUnits(spec, d))
        {
            var byUnits = new UnitBackwardLoop
            {
                Spec = spec, D = d, RecurrentKernel = u,
                Act = tape.Activations.Pointer, HPrev = tape.HPrev.Pointer, Cells = tape.Cells.Pointer, GruExtra = tape.GruExtra.Pointer,
                DGates = dGates.Pointer, DRecurrent = dRec, Dh = dh.Pointer, Dc = dc.Pointer, DOutput = dOutput, Mask = mask, C0 = c0,
            };
            CpuWorkerPool.Team(Threads, byUnits.Run);
            if (args.InputGrad is not null && bs > 0)
                Gemm(false, true, bs, d.I, gh, T.One, dGates.Pointer, gh, F(fwd.Kernel).Pointer, gh, T.One, F(args.InputGrad).Pointer, d.I);
        }
        else
        {
            // Uᵀ (and U_hᵀ) serve every step: packed once.
            var split = RecurrentBatchSplit.Plan(d.B, d.Steps, h, gh, Threads);
            int recurrentColumns = gruBefore ? 2 * h : gh;
            using var packedUt = new CpuPackedMatrix<T>(true, split.LargestPart, recurrentColumns, h, u, gh);
            using var packedCandidateT = gruBefore ? new CpuPackedMatrix<T>(true, split.LargestPart, h, h, u + 2 * h, gh) : null;
            var loop = new BackwardLoop
            {
                Spec = spec, D = d, PackedUt = packedUt, PackedCandidateT = packedCandidateT, RecurrentColumns = recurrentColumns,
                Act = tape.Activations.Pointer, HPrev = tape.HPrev.Pointer, Cells = tape.Cells.Pointer, GruExtra = tape.GruExtra.Pointer,
                DGates = dGates.Pointer, DRecurrent = dRec, Dh = dh.Pointer, Dc = dc.Pointer, Drh = drh is null ? null : drh.Pointer,
                DOutput = dOutput, Mask = mask, C0 = c0,
                Kernel = F(fwd.Kernel).Pointer, InputGrad = args.InputGrad is null ? null : F(args.InputGrad).Pointer,
            };
            split.Run(loop.Run);
        }

        if (args.InitialHGrad is not null) Axpy(1, dh, args.InitialHGrad);
        if (args.InitialCGrad is not null && spec.HasCellState) Axpy(1, dc, args.InitialCGrad);
        if (bs == 0) return;

        // Weight gradients: one GEMM each over all B·T rows (the input gradient was added by each part of the loop).
        T* x = F(fwd.Input).Pointer, dG = dGates.Pointer;
        Gemm(true, false, d.I, gh, bs, T.One, x, d.I, dG, gh, T.One, F(args.KernelGrad).Pointer, gh);
        T* dU = F(args.RecurrentKernelGrad).Pointer;
        if (gruBefore)
        {
            Gemm(true, false, h, 2 * h, bs, T.One, tape.HPrev.Pointer, h, dG, gh, T.One, dU, gh);
            Gemm(true, false, h, h, bs, T.One, tape.GruExtra.Pointer, h, dG + 2 * h, gh, T.One, dU + 2 * h, gh);
        }
        else Gemm(true, false, h, gh, bs, T.One, tape.HPrev.Pointer, h, dRec, gh, T.One, dU, gh);

        var biasGrad = F(args.BiasGrad);
        SumRowsAccumulate(dGates, BiasRow(biasGrad, 0, gh));
        if (gruAfter) SumRowsAccumulate(dRecurrent!, BiasRow(biasGrad, 1, gh));
    }

    /// <summary>
    /// The forward time loop over a block of batch rows [b0, b1): the rows' states, recurrent products and tape rows
    /// (b·T + t) belong to this block alone, so blocks run side by side without locks.
    /// </summary>
    private sealed class ForwardLoop : ForwardSteps
    {
        public CpuPackedMatrix<T> PackedU = null!;
        public CpuPackedMatrix<T>? PackedCandidate;
        public T* Input, Kernel, InputBias;

        /// <summary>
        /// Projects the inputs of rows [<paramref name="b0"/>, <paramref name="b1"/>) at every step, then runs every step
        /// for them. The projection is done here rather than for the whole batch up front so that each part's
        /// activations are written by the thread that reads them next, and stay in its core's cache.
        /// </summary>
        public void Run(int b0, int b1, int gemmThreads)
        {
            int h = D.H, gh = D.GH, steps = D.Steps, rows = b1 - b0;
            var kind = Spec.Activation;

            // One GEMM for the input projection of the block's timesteps (rows b·T + t, contiguous), then the input bias.
            int projected = rows * steps;
            T* act0 = Act + (nint)b0 * steps * gh;
            CpuGemm.Gemm(false, false, projected, gh, D.I, T.One, Input + (nint)b0 * steps * D.I, D.I, Kernel, gh, T.Zero, act0, gh, gemmThreads);
            var inputBias = new ReadOnlySpan<T>(InputBias, gh);
            for (int r = 0; r < projected; r++) TensorPrimitives.Add(Row(act0, r, gh), inputBias, Row(act0, r, gh));

            var scratch = new T[h];
            T* hs = State + (nint)b0 * h;
            for (int t = 0; t < steps; t++)
            {
                if (KeepsEveryStep) for (int b = b0; b < b1; b++) Row(State, b, h).CopyTo(Row(HPrev, b * steps + t, h));

                // The recurrent GEMM: all gates at once, except the reset-before GRU whose candidate needs r first.
                CpuGemm.GemmPacked(false, rows, h, T.One, hs, h, PackedU, T.Zero, Rec + (nint)b0 * gh, gh, gemmThreads);

                for (int b = b0; b < b1; b++) CellStep(b, t, 0, Row(State, b, h), scratch);

                if (PackedCandidate is not null)
                {
                    // Candidate of the reset-before GRU: (r ⊙ h) · U_h, then the state update.
                    CpuGemm.GemmPacked(false, rows, h, T.One, GruExtra + (nint)TapeRow(b0, t) * h, (KeepsEveryStep ? steps : 1) * h, PackedCandidate,
                        T.Zero, Rec + (nint)b0 * gh + 2 * h, gh, gemmThreads);
                    for (int b = b0; b < b1; b++)
                    {
                        int row = b * steps + t;
                        CpuCellKernels<T>.GruBeforeCandidate(kind, Row(Act, row, gh), Row(Rec, b, gh).Slice(2 * h, h), Row(State, b, h),
                            Mask is null || Mask[row] != T.Zero);
                    }
                }

                for (int b = b0; b < b1; b++) Row(State, b, h).CopyTo(Row(Output, b * steps + t, h));
            }
        }
    }

    /// <summary>The backward time loop over a block of batch rows (the mirror of <see cref="ForwardLoop"/>).</summary>
    private sealed class BackwardLoop : BackwardSteps
    {
        public CpuPackedMatrix<T> PackedUt = null!;
        public CpuPackedMatrix<T>? PackedCandidateT;
        public int RecurrentColumns;
        public T* Drh, Kernel, InputGrad;

        /// <summary>
        /// Runs every step, last to first, for rows [<paramref name="b0"/>, <paramref name="b1"/>), then adds their
        /// input gradient (the mirror of the forward's per-part projection: the gate gradients it reads are still in
        /// this thread's cache).
        /// </summary>
        public void Run(int b0, int b1, int gemmThreads)
        {
            RunSteps(b0, b1, gemmThreads);
            if (InputGrad is null) return;
            int rows = (b1 - b0) * D.Steps;
            CpuGemm.Gemm(false, true, rows, D.I, D.GH, T.One, DGates + (nint)b0 * D.Steps * D.GH, D.GH, Kernel, D.GH, T.One,
                InputGrad + (nint)b0 * D.Steps * D.I, D.I, gemmThreads);
        }

        /// <summary>The time loop of <see cref="Run"/>.</summary>
        private void RunSteps(int b0, int b1, int gemmThreads)
        {
            int h = D.H, gh = D.GH, steps = D.Steps, rows = b1 - b0;
            var scratch = new T[3 * h];
            var t1 = scratch.AsSpan(0, h); var t2 = scratch.AsSpan(h, h); var t3 = scratch.AsSpan(2 * h, h);
            for (int t = steps - 1; t >= 0; t--)
            {
                for (int b = b0; b < b1; b++) CellStep(b, t, 0, h, t1, t2, t3);

                if (PackedCandidateT is not null)
                {
                    // ∂(r ⊙ h_prev) from the candidate, then the reset gate and the direct paths into h_prev.
                    CpuGemm.GemmPacked(false, rows, h, T.One, DGates + ((nint)b0 * steps + t) * gh + 2 * h, steps * gh, PackedCandidateT,
                        T.Zero, Drh + (nint)b0 * h, h, gemmThreads);
                    for (int b = b0; b < b1; b++)
                    {
                        int row = b * steps + t;
                        if (Mask is not null && Mask[row] == T.Zero) continue;
                        CpuCellKernels<T>.GruBeforeBackwardReset(Row(Act, row, gh), Row(HPrev, row, h), Row(Drh, b, h), Row(DGates, row, gh),
                            Row(Dh, b, h), t1, t2);
                    }
                }

                // dh_prev += dGates_t · Uᵀ (only the gate blocks whose recurrent input is h_prev itself).
                CpuGemm.GemmPacked(false, rows, RecurrentColumns, T.One, DRecurrent + ((nint)b0 * steps + t) * gh, steps * gh, PackedUt,
                    T.One, Dh + (nint)b0 * h, h, gemmThreads);
            }
        }
    }

    /// <summary>Row <paramref name="index"/> of a bias that may hold two rows (reset-after GRU), as a window.</summary>
    private CpuTensor<T> BiasRow(CpuTensor<T> bias, int index, int width) =>
        index == 0 && bias.Length == width ? bias : new CpuTensor<T>(this, [width], FloatType, bias.Array, pool: null, bias.Offset + index * width);
}
