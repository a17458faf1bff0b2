using RnnGpu.Backends.Cpu;

namespace RnnGpu.Backends;

public sealed unsafe partial class CpuBackend<T>
{
    /// <inheritdoc />
    public RecurrentTape? RecurrentForward(RecurrentSpec spec, RecurrentForwardArgs args, bool keepForBackward)
    {
        var d = RecurrentDims.Of(spec, args);
        var tape = new CpuRecurrentTape<T>(this, spec, d);
        var x = F(args.Input); var w = F(args.Kernel); var u = F(args.RecurrentKernel); var bias = F(args.Bias);
        int gh = d.GH, h = d.H, bs = d.B * d.Steps;
        var kind = spec.Activation;

        // One GEMM for the input projection of every timestep, straight into the activation buffer, then the input bias.
        T* act = tape.Activations.Pointer;
        if (bs > 0) Gemm(false, false, bs, gh, d.I, T.One, x.Pointer, d.I, w.Pointer, gh, T.Zero, act, gh);
        AddRowVector(tape.Activations, BiasRow(bias, 0, gh), tape.Activations);
        var recBias = d.TwoBiases ? new ReadOnlySpan<T>(bias.Pointer + gh, gh) : default;

        using var state = NewFloat([d.B, h], zeroed: false);
        using var cell = NewFloat([d.B, h]);
        using var rec = NewFloat([d.B, gh], zeroed: false);
        var scratch = new T[h];
        Copy(args.InitialH, state);
        if (spec.HasCellState) Copy(args.InitialC!, cell);
        T* hs = state.Pointer, cs = cell.Pointer, r = rec.Pointer, uPtr = u.Pointer, hPrevAll = tape.HPrev.Pointer;
        T* output = F(args.Output).Pointer;
        T* mask = args.Mask is null ? null : F(args.Mask).Pointer;

        // The recurrent kernel is the same at every step: pack it for the GEMM once, not once per step.
        bool gruBefore = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter;
        using var packedU = new CpuPackedMatrix<T>(false, d.B, h, gruBefore ? 2 * h : gh, uPtr, gh);
        using var packedCandidate = gruBefore ? new CpuPackedMatrix<T>(false, d.B, h, h, uPtr + 2 * h, gh) : null;

        for (int t = 0; t < d.Steps; t++)
        {
            for (int b = 0; b < d.B; b++) Row(hs, b, h).CopyTo(Row(hPrevAll, b * d.Steps + t, h));

            // The recurrent GEMM: all gates at once, except the reset-before GRU whose candidate needs r first.
            CpuGemm.GemmPacked(false, d.B, h, T.One, hs, h, packedU, T.Zero, r, gh, Threads);

            for (int b = 0; b < d.B; b++)
            {
                int row = b * d.Steps + t;
                bool valid = mask is null || mask[row] != T.Zero;
                var a = Row(act, row, gh);
                var rb = Row(r, b, gh);
                var hb = Row(hs, b, h);
                switch (spec.Kind)
                {
                    case RecurrentKind.SimpleRnn:
                        System.Numerics.Tensors.TensorPrimitives.Add(a, rb, a);
                        CpuCellKernels<T>.SimpleForward(kind, a, hb, valid);
                        break;
                    case RecurrentKind.Lstm:
                        System.Numerics.Tensors.TensorPrimitives.Add(a, rb, a);
                        CpuCellKernels<T>.LstmForward(kind, a, Row(cs, b, h), hb, Row(tape.Cells.Pointer, row, h), valid, scratch);
                        break;
                    case RecurrentKind.Gru when spec.ResetAfter:
                        CpuCellKernels<T>.GruAfterForward(kind, a, rb, recBias, Row(tape.GruExtra.Pointer, row, h), hb, valid);
                        break;
                    default:
                        CpuCellKernels<T>.GruBeforeGates(a, rb, hb, Row(tape.GruExtra.Pointer, row, h));
                        break;
                }
            }

            if (gruBefore)
            {
                // Candidate of the reset-before GRU: (r ⊙ h) · U_h, then the state update.
                CpuGemm.GemmPacked(false, d.B, h, T.One, tape.GruExtra.Pointer + t * h, d.Steps * h, packedCandidate!, T.Zero, r + 2 * h, gh, Threads);
                for (int b = 0; b < d.B; b++)
                {
                    int row = b * d.Steps + t;
                    CpuCellKernels<T>.GruBeforeCandidate(kind, Row(act, row, gh), Row(r, b, gh).Slice(2 * h, h), Row(hs, b, h), mask is null || mask[row] != T.Zero);
                }
            }

            for (int b = 0; b < d.B; b++) Row(hs, b, h).CopyTo(Row(output, b * d.Steps + t, h));
        }

        Copy(state, args.FinalH);
        if (spec.HasCellState) Copy(cell, args.FinalC!);
        if (keepForBackward) return tape;
        tape.Dispose();
        return null;
    }

    /// <inheritdoc />
    public void RecurrentBackward(RecurrentSpec spec, RecurrentBackwardArgs args)
    {
        var fwd = args.Forward;
        var tape = (CpuRecurrentTape<T>)args.Tape;
        var d = RecurrentDims.Of(spec, fwd);
        int gh = d.GH, h = d.H, bs = d.B * d.Steps;
        var kind = spec.Activation;
        bool gruAfter = spec.Kind == RecurrentKind.Gru && spec.ResetAfter, gruBefore = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter;

        using var dGates = NewFloat([bs, gh]);          // ∂loss/∂(pre-activation), rows b·T + t like the projection
        using var dRecurrent = gruAfter ? NewFloat([bs, gh]) : null; // reset-after GRU: what flows into h·U differs
        using var dh = NewFloat([d.B, h]);
        using var dc = NewFloat([d.B, h]);
        using var drh = gruBefore ? NewFloat([d.B, h]) : null;
        if (args.FinalHGrad is not null) Copy(args.FinalHGrad, dh);
        if (args.FinalCGrad is not null && spec.HasCellState) Copy(args.FinalCGrad, dc);
        var scratch = new T[3 * h];
        var t1 = scratch.AsSpan(0, h); var t2 = scratch.AsSpan(h, h); var t3 = scratch.AsSpan(2 * h, h);

        T* dG = dGates.Pointer, dR = dRecurrent is null ? dG : dRecurrent.Pointer, dhp = dh.Pointer, dcp = dc.Pointer;
        T* act = tape.Activations.Pointer, hPrevAll = tape.HPrev.Pointer;
        T* dOut = args.OutputGrad is null ? null : F(args.OutputGrad).Pointer;
        T* mask = fwd.Mask is null ? null : F(fwd.Mask).Pointer;
        T* u = F(fwd.RecurrentKernel).Pointer;
        T* c0 = spec.HasCellState ? F(fwd.InitialC!).Pointer : null;

        // Uᵀ (and U_hᵀ) serve every step: packed once.
        int recurrentColumns = gruBefore ? 2 * h : gh;
        using var packedUt = new CpuPackedMatrix<T>(true, d.B, recurrentColumns, h, u, gh);
        using var packedCandidateT = gruBefore ? new CpuPackedMatrix<T>(true, d.B, h, h, u + 2 * h, gh) : null;

        for (int t = d.Steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < d.B; b++)
            {
                int row = b * d.Steps + t;
                var dhb = Row(dhp, b, h);
                if (dOut is not null) System.Numerics.Tensors.TensorPrimitives.Add(dhb, Row(dOut, row, h), dhb);
                if (mask is not null && mask[row] == T.Zero) continue; // a masked step passes the state gradient straight through
                var a = Row(act, row, gh);
                var g = Row(dG, row, gh);
                switch (spec.Kind)
                {
                    case RecurrentKind.SimpleRnn:
                        CpuCellKernels<T>.SimpleBackward(kind, a, g, dhb);
                        break;
                    case RecurrentKind.Lstm:
                        var cPrev = t == 0 ? Row(c0, b, h) : Row(tape.Cells.Pointer, row - 1, h);
                        CpuCellKernels<T>.LstmBackward(kind, a, Row(tape.Cells.Pointer, row, h), cPrev, g, dhb, Row(dcp, b, h), t1, t2, t3);
                        break;
                    case RecurrentKind.Gru when spec.ResetAfter:
                        CpuCellKernels<T>.GruAfterBackward(kind, a, Row(tape.GruExtra.Pointer, row, h), Row(hPrevAll, row, h), g, Row(dR, row, gh), dhb, t1, t2);
                        break;
                    default:
                        CpuCellKernels<T>.GruBeforeBackwardGates(kind, a, Row(hPrevAll, row, h), g, dhb, t1, t2);
                        break;
                }
            }

            if (gruBefore)
            {
                // ∂(r ⊙ h_prev) from the candidate, then the reset gate and the direct paths into h_prev.
                T* drhp = drh!.Pointer;
                CpuGemm.GemmPacked(false, d.B, h, T.One, dG + t * gh + 2 * h, d.Steps * gh, packedCandidateT!, T.Zero, drhp, h, Threads);
                for (int b = 0; b < d.B; b++)
                {
                    int row = b * d.Steps + t;
                    if (mask is not null && mask[row] == T.Zero) continue;
                    CpuCellKernels<T>.GruBeforeBackwardReset(Row(act, row, gh), Row(hPrevAll, row, h), Row(drhp, b, h), Row(dG, row, gh), Row(dhp, b, h), t1, t2);
                }
            }

            // dh_prev += dGates_t · Uᵀ (only the gate blocks whose recurrent input is h_prev itself).
            CpuGemm.GemmPacked(false, d.B, recurrentColumns, T.One, dR + t * gh, d.Steps * gh, packedUt, T.One, dhp, h, Threads);
        }

        if (args.InitialHGrad is not null) Axpy(1, dh, args.InitialHGrad);
        if (args.InitialCGrad is not null && spec.HasCellState) Axpy(1, dc, args.InitialCGrad);
        if (bs == 0) return;

        // Weight and input gradients: one GEMM each over all B·T rows.
        T* x = F(fwd.Input).Pointer;
        Gemm(true, false, d.I, gh, bs, T.One, x, d.I, dG, gh, T.One, F(args.KernelGrad).Pointer, gh);
        if (args.InputGrad is not null)
            Gemm(false, true, bs, d.I, gh, T.One, dG, gh, F(fwd.Kernel).Pointer, gh, T.One, F(args.InputGrad).Pointer, d.I);
        T* dU = F(args.RecurrentKernelGrad).Pointer;
        if (gruBefore)
        {
            Gemm(true, false, h, 2 * h, bs, T.One, hPrevAll, h, dG, gh, T.One, dU, gh);
            Gemm(true, false, h, h, bs, T.One, tape.GruExtra.Pointer, h, dG + 2 * h, gh, T.One, dU + 2 * h, gh);
        }
        else Gemm(true, false, h, gh, bs, T.One, hPrevAll, h, dR, gh, T.One, dU, gh);

        var biasGrad = F(args.BiasGrad);
        SumRowsAccumulate(dGates, BiasRow(biasGrad, 0, gh));
        if (gruAfter) SumRowsAccumulate(dRecurrent!, BiasRow(biasGrad, 1, gh));
    }

    /// <summary>Row <paramref name="row"/> of width <paramref name="width"/> of a row-major block.</summary>
    private static Span<T> Row(T* block, int row, int width) => new(block + (long)row * width, width);

    /// <summary>Row <paramref name="index"/> of a bias that may hold two rows (reset-after GRU), as a window.</summary>
    private CpuTensor<T> BiasRow(CpuTensor<T> bias, int index, int width) =>
        index == 0 && bias.Length == width ? bias : new CpuTensor<T>(this, [width], FloatType, bias.Array, pool: null, bias.Offset + index * width);
}
