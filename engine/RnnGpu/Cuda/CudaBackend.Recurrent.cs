using RnnGpu.Backends;

namespace RnnGpu.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    /// <remarks>
    /// One GEMM projects the inputs of all timesteps; each step then runs one fused cell kernel, preceded by a cuBLAS
    /// GEMM for the recurrent product on the state entering it (a strided view of the batch-major state buffer) unless
    /// <see cref="RecurrentSteps"/> lets the kernel compute that product itself. A reset-before GRU runs two GEMMs and
    /// two kernels per step. With <see cref="RecurrentStepMode.Persistent"/> the steps are one cooperative launch.
    /// </remarks>
    public RecurrentTape? RecurrentForward(RecurrentSpec spec, RecurrentForwardArgs args, bool keepForBackward)
    {
        var d = RecurrentDims.Of(spec, args);
        int b = d.B, steps = d.Steps, h = d.H, gh = d.GH;
        var x = F(args.Input); var w = F(args.Kernel); var u = F(args.RecurrentKernel); var bias = F(args.Bias); var output = F(args.Output);
        ulong mask = args.Mask is null ? 0 : F(args.Mask).Pointer;
        int act = ActivationCode(spec.Activation);
        if (steps == 0 || b == 0)
        {
            Copy(args.InitialH, args.FinalH);
            if (spec.HasCellState) Copy(args.InitialC!, args.FinalC!);
            return Keep(new CudaRecurrentTape(this, spec, b, steps, h), keepForBackward);
        }

        int rows = b * steps;
        using var projection = d.I == 0 ? (CudaTensor)Allocate(rows, gh) : NewTensor([rows, gh], DType.Float32);
        var plan = CudaRecurrentStepPlan.For(spec, b, h, RecurrentSteps);
        using var recurrent = plan.Fused ? null : NewTensor([b, gh], DType.Float32);
        // The tape last: without backward it is freed first (in Keep, before the two above), so every block goes back to
        // the pool in reverse order and the next identical call gets the same addresses (see CudaStepGraphs).
        var tape = new CudaRecurrentTape(this, spec, b, steps, h);
        // The step kernels take either the cuBLAS product (hu) or the recurrent kernel to compute it (u).
        ulong hu = recurrent?.Pointer ?? 0, uFused = plan.Fused ? u.Pointer : 0;
        GemmRaw(false, false, rows, gh, d.I, 1f, x.Pointer, d.I, w.Pointer, gh, 0f, projection.Pointer, gh);
        CopyTimestepRaw(tape.HPrev.Pointer, steps, 0, F(args.InitialH).Pointer, b, h, toSequence: true, accumulate: false);
        if (spec.HasCellState) CopyTimestepRaw(tape.CPrev!.Pointer, steps, 0, F(args.InitialC!).Pointer, b, h, toSequence: true, accumulate: false);

        int stateLd = steps * h, gateLd = steps * gh;
        // Steps [tBegin, tEnd) of the layer's *_forward_steps_f32 kernel: one step per launch, or the whole loop as one
        // cooperative launch (false where the device cannot hold that grid; nothing ran then).
        bool RunSteps(int tBegin, int tEnd, bool cooperative)
        {
            var a = new KernelArguments(stackalloc ulong[20]);
            string family, kernel;
            switch (spec.Kind)
            {
                case RecurrentKind.SimpleRnn:
                    (family, kernel) = ("simple_rnn", "simple_rnn_forward_steps_f32");
                    a.Pointer(projection.Pointer); a.Pointer(hu); a.Pointer(uFused); a.Pointer(bias.Pointer);
                    a.Pointer(tape.HPrev.Pointer); a.Pointer(tape.HLast.Pointer); a.Pointer(mask); a.Pointer(tape.Gates.Pointer); a.Pointer(output.Pointer);
                    break;
                case RecurrentKind.Lstm:
                    (family, kernel) = ("lstm", "lstm_forward_steps_f32");
                    a.Pointer(projection.Pointer); a.Pointer(hu); a.Pointer(uFused); a.Pointer(bias.Pointer);
                    a.Pointer(tape.HPrev.Pointer); a.Pointer(tape.CPrev!.Pointer); a.Pointer(tape.HLast.Pointer); a.Pointer(tape.CLast!.Pointer);
                    a.Pointer(mask); a.Pointer(tape.Gates.Pointer); a.Pointer(output.Pointer);
                    break;
                case RecurrentKind.Gru: // reset after; reset before has kernels of its own
                    (family, kernel) = ("gru", "gru_forward_steps_f32");
                    a.Pointer(projection.Pointer); a.Pointer(hu); a.Pointer(uFused); a.Pointer(bias.Pointer); a.Pointer(At(bias.Pointer, gh));
                    a.Pointer(tape.HPrev.Pointer); a.Pointer(tape.HLast.Pointer); a.Pointer(mask); a.Pointer(tape.Gates.Pointer);
                    a.Pointer(tape.Extra!.Pointer); a.Pointer(output.Pointer);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Not a recurrent kind.");
            }
            // Every *_steps_f32 kernel ends with the same arguments.
            a.Int(b); a.Int(steps); a.Int(h); a.Int(act); a.Int(tBegin); a.Int(tEnd); a.Pointer(cooperative ? GridBarrier : 0);
            return LaunchSteps(family, kernel, plan.Blocks, plan.ForwardThreads, cooperative, a);
        }

        bool persistent = plan.Persistent && RunSteps(0, steps, cooperative: true);
        if (!persistent)
        {
            Span<ulong> slots = stackalloc ulong[24], moreSlots = stackalloc ulong[24];
            // A fused loop is kernel launches only, so it can run as one CUDA graph when it repeats with the same buffers.
            using var sequence = new StepSequence(this, plan.Fused);
            for (int t = 0; t < steps; t++)
            {
                ulong hPrev = At(tape.HPrev.Pointer, t * h);
                if (spec.Kind != RecurrentKind.Gru || spec.ResetAfter)
                {
                    if (!plan.Fused) GemmRaw(false, false, b, gh, h, 1f, hPrev, stateLd, u.Pointer, gh, 0f, hu, gh);
                    RunSteps(t, t + 1, cooperative: false);
                    continue;
                }
                // Reset-before GRU: the candidate's recurrent product needs r first, (r ⊙ h_prev)·U_h, so two GEMMs and two kernels.
                bool last = t == steps - 1;
                ulong hNext = last ? tape.HLast.Pointer : At(tape.HPrev.Pointer, (t + 1) * h);
                int hNextLd = last ? h : stateLd;
                ulong xp = At(projection.Pointer, t * gh), gates = At(tape.Gates.Pointer, t * gh), outStep = At(output.Pointer, t * h);
                ulong maskStep = mask == 0 ? 0 : At(mask, t), rh = At(tape.Extra!.Pointer, t * h);
                GemmRaw(false, false, b, 2 * h, h, 1f, hPrev, stateLd, u.Pointer, gh, 0f, hu, gh);
                var g = new KernelArguments(slots);
                g.Pointer(xp); g.Int(gateLd); g.Pointer(hu); g.Int(gh); g.Pointer(bias.Pointer);
                g.Pointer(hPrev); g.Int(stateLd); g.Pointer(gates); g.Int(gateLd); g.Pointer(rh); g.Int(stateLd);
                g.Int(b); g.Int(h);
                Launch("gru", "gru_rb_gates_step_f32", (long)b * h, g);

                GemmRaw(false, false, b, h, h, 1f, rh, stateLd, At(u.Pointer, 2 * h), gh, 0f, At(hu, 2 * h), gh);
                var o = new KernelArguments(moreSlots);
                o.Pointer(xp); o.Int(gateLd); o.Pointer(At(hu, 2 * h)); o.Int(gh); o.Pointer(bias.Pointer);
                o.Pointer(hPrev); o.Int(stateLd); o.Pointer(maskStep); o.Int(steps);
                o.Pointer(gates); o.Int(gateLd); o.Pointer(hNext); o.Int(hNextLd);
                o.Pointer(outStep); o.Int(stateLd); o.Int(b); o.Int(h); o.Int(act);
                Launch("gru", "gru_rb_output_step_f32", (long)b * h, o);
            }
            sequence.Run();
        }

        Copy(tape.HLast, args.FinalH);
        if (spec.HasCellState) Copy(tape.CLast!, args.FinalC!);
        return Keep(tape, keepForBackward);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Per step (in reverse) one fused kernel turns the state gradient into gate gradients and one GEMM adds
    /// dGates·Uᵀ to the gradient of the previous state (with <see cref="RecurrentSteps"/> fused, the next step's kernel
    /// adds that product itself, and one GEMM after the loop adds the first step's); afterwards one GEMM each gives the
    /// kernel, recurrent kernel and input gradients over all B·T rows, and a column sum the bias gradient. With
    /// <see cref="RecurrentStepMode.Persistent"/> the reverse loop is one cooperative launch.
    /// </remarks>
    public void RecurrentBackward(RecurrentSpec spec, RecurrentBackwardArgs args)
    {
        var fwd = args.Forward;
        var tape = args.Tape as CudaRecurrentTape ?? throw new ArgumentException("The tape was not made by this CUDA backend.", nameof(args));
        var d = RecurrentDims.Of(spec, fwd);
        int b = d.B, steps = d.Steps, h = d.H, gh = d.GH, rows = b * steps;
        bool gruAfter = spec.Kind == RecurrentKind.Gru && spec.ResetAfter, gruBefore = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter;
        int act = ActivationCode(spec.Activation);
        var u = F(fwd.RecurrentKernel);
        ulong mask = fwd.Mask is null ? 0 : F(fwd.Mask).Pointer;
        ulong dOut = 0;
        if (args.OutputGrad is not null)
        {
            var g = F(args.OutputGrad);
            if (g.Length != rows * h) throw new ArgumentException($"Output gradient {ShapeUtil.Format(g.Shape)} does not match [{b}, {steps}, {h}].");
            dOut = g.Pointer;
        }

        using var dGates = NewTensor([rows, gh], DType.Float32);                   // every element is written by the step kernels
        using var dRecurrentGates = gruAfter ? NewTensor([rows, gh], DType.Float32) : null; // what flows into h·U differs for reset-after
        using var dh = (CudaTensor)Allocate(b, h);
        using var dc = spec.HasCellState ? (CudaTensor)Allocate(b, h) : null;
        using var drh = gruBefore ? NewTensor([b, h], DType.Float32) : null;
        if (args.FinalHGrad is not null) Copy(args.FinalHGrad, dh);
        if (args.FinalCGrad is not null && dc is not null) Copy(args.FinalCGrad, dc);
        ulong dR = dRecurrentGates?.Pointer ?? dGates.Pointer;
        var plan = CudaRecurrentStepPlan.For(spec, b, h, RecurrentSteps);
        ulong uFused = plan.Fused ? u.Pointer : 0;

        int stateLd = steps * h, gateLd = steps * gh;
        // Steps [tBegin, tEnd) of the layer's *_backward_steps_f32 kernel, in reverse, launched as in RecurrentForward.
        bool RunSteps(int tBegin, int tEnd, bool cooperative)
        {
            var a = new KernelArguments(stackalloc ulong[20]);
            string family, kernel;
            switch (spec.Kind)
            {
                case RecurrentKind.SimpleRnn:
                    (family, kernel) = ("simple_rnn", "simple_rnn_backward_steps_f32");
                    a.Pointer(tape.Gates.Pointer); a.Pointer(mask); a.Pointer(dOut); a.Pointer(uFused); a.Pointer(dh.Pointer); a.Pointer(dGates.Pointer);
                    break;
                case RecurrentKind.Lstm:
                    (family, kernel) = ("lstm", "lstm_backward_steps_f32");
                    a.Pointer(tape.Gates.Pointer); a.Pointer(tape.CPrev!.Pointer); a.Pointer(mask); a.Pointer(dOut); a.Pointer(uFused);
                    a.Pointer(dh.Pointer); a.Pointer(dc!.Pointer); a.Pointer(dGates.Pointer);
                    break;
                case RecurrentKind.Gru: // reset after; reset before has kernels of its own
                    (family, kernel) = ("gru", "gru_backward_steps_f32");
                    a.Pointer(tape.Gates.Pointer); a.Pointer(tape.Extra!.Pointer); a.Pointer(tape.HPrev.Pointer); a.Pointer(mask); a.Pointer(dOut);
                    a.Pointer(uFused); a.Pointer(dh.Pointer); a.Pointer(dGates.Pointer); a.Pointer(dR);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Not a recurrent kind.");
            }
            // Every *_steps_f32 kernel ends with the same arguments.
            a.Int(b); a.Int(steps); a.Int(h); a.Int(act); a.Int(tBegin); a.Int(tEnd); a.Pointer(cooperative ? GridBarrier : 0);
            return LaunchSteps(family, kernel, plan.Blocks, plan.BackwardThreads, cooperative, a);
        }

        bool persistent = plan.Persistent && RunSteps(0, steps, cooperative: true);
        if (!persistent)
        {
            Span<ulong> slots = stackalloc ulong[24], moreSlots = stackalloc ulong[24];
            // A fused loop is kernel launches only, so it can run as one CUDA graph when it repeats with the same buffers.
            using var sequence = new StepSequence(this, plan.Fused);
            for (int t = steps - 1; t >= 0; t--)
            {
                if (!gruBefore)
                {
                    // A fused step kernel first adds the next step's product dR·Uᵀ to dh; otherwise cuBLAS does, after it.
                    RunSteps(t, t + 1, cooperative: false);
                    if (!plan.Fused) GemmRaw(false, true, b, h, gh, 1f, At(dR, t * gh), gateLd, u.Pointer, gh, 1f, dh.Pointer, h);
                    continue;
                }
                ulong hPrev = At(tape.HPrev.Pointer, t * h), gates = At(tape.Gates.Pointer, t * gh), dg = At(dGates.Pointer, t * gh);
                ulong dOutStep = dOut == 0 ? 0 : At(dOut, t * h), maskStep = mask == 0 ? 0 : At(mask, t);
                var a = new KernelArguments(slots);
                a.Pointer(gates); a.Int(gateLd); a.Pointer(hPrev); a.Int(stateLd); a.Pointer(maskStep); a.Int(steps);
                a.Pointer(dOutStep); a.Int(stateLd); a.Pointer(dh.Pointer); a.Pointer(dg); a.Int(gateLd); a.Int(b); a.Int(h); a.Int(act);
                Launch("gru", "gru_rb_backward_candidate_step_f32", (long)b * h, a);
                // d(r ⊙ h_prev) = dCandidate·U_hᵀ, then the reset gate and its path into h_prev.
                GemmRaw(false, true, b, h, h, 1f, At(dg, 2 * h), gateLd, At(u.Pointer, 2 * h), gh, 0f, drh!.Pointer, h);
                var r = new KernelArguments(moreSlots);
                r.Pointer(gates); r.Int(gateLd); r.Pointer(hPrev); r.Int(stateLd); r.Pointer(drh.Pointer); r.Pointer(dh.Pointer);
                r.Pointer(dg); r.Int(gateLd); r.Int(b); r.Int(h);
                Launch("gru", "gru_rb_backward_reset_step_f32", (long)b * h, r);
                GemmRaw(false, true, b, h, 2 * h, 1f, dg, gateLd, u.Pointer, gh, 1f, dh.Pointer, h);
            }
            sequence.Run();
        }

        if (plan.Fused && rows > 0) GemmRaw(false, true, b, h, gh, 1f, dR, gateLd, u.Pointer, gh, 1f, dh.Pointer, h);
        if (args.InitialHGrad is not null) Axpy(1, dh, args.InitialHGrad);
        if (args.InitialCGrad is not null && dc is not null) Axpy(1, dc, args.InitialCGrad);
        if (rows == 0) return;

        var x = F(fwd.Input);
        GemmRaw(true, false, d.I, gh, rows, 1f, x.Pointer, d.I, dGates.Pointer, gh, 1f, F(args.KernelGrad).Pointer, gh);
        if (args.InputGrad is not null)
            GemmRaw(false, true, rows, d.I, gh, 1f, dGates.Pointer, gh, F(fwd.Kernel).Pointer, gh, 1f, F(args.InputGrad).Pointer, d.I);
        ulong dU = F(args.RecurrentKernelGrad).Pointer;
        if (gruBefore)
        {
            GemmRaw(true, false, h, 2 * h, rows, 1f, tape.HPrev.Pointer, h, dGates.Pointer, gh, 1f, dU, gh);
            GemmRaw(true, false, h, h, rows, 1f, tape.Extra!.Pointer, h, At(dGates.Pointer, 2 * h), gh, 1f, At(dU, 2 * h), gh);
        }
        else GemmRaw(true, false, h, gh, rows, 1f, tape.HPrev.Pointer, h, dR, gh, 1f, dU, gh);

        ulong biasGrad = F(args.BiasGrad).Pointer;
        SumRowsRaw(dGates.Pointer, rows, gh, gh, biasGrad);
        if (gruAfter) SumRowsRaw(dR, rows, gh, gh, At(biasGrad, gh));
    }

    private static CudaRecurrentTape? Keep(CudaRecurrentTape tape, bool keep)
    {
        if (keep) return tape;
        tape.Dispose();
        return null;
    }

    /// <summary>The address <paramref name="elements"/> floats past <paramref name="pointer"/>.</summary>
    private static ulong At(ulong pointer, long elements) => pointer + (ulong)(elements * sizeof(float));
}
