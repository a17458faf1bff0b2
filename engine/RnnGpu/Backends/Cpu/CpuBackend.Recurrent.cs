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
        T* xp = tape.Projection.Pointer;
        int gh = d.GH, h = d.H, bs = d.B * d.Steps;

        // One GEMM for the input projection of every timestep, then the input bias.
        if (bs > 0) Gemm(false, false, bs, gh, d.I, T.One, x.Pointer, d.I, w.Pointer, gh, T.Zero, xp, gh);
        AddRowVector(tape.Projection, BiasRow(bias, 0, gh), tape.Projection);
        T* recBias = d.TwoBiases ? bias.Pointer + gh : null;

        using var state = NewFloat([d.B, h]);
        using var cell = NewFloat([d.B, h]);
        using var rec = NewFloat([d.B, gh]);
        Copy(args.InitialH, state);
        if (spec.HasCellState) Copy(args.InitialC!, cell);
        T* hs = state.Pointer, cs = cell.Pointer, r = rec.Pointer, uPtr = u.Pointer;
        T* output = F(args.Output).Pointer;
        T* mask = args.Mask is null ? null : F(args.Mask).Pointer;

        for (int t = 0; t < d.Steps; t++)
        {
            for (int b = 0; b < d.B; b++)
                new Span<T>(hs + b * h, h).CopyTo(new Span<T>(tape.HPrev.Pointer + (b * d.Steps + t) * h, h));

            // The recurrent GEMM: all gates at once, except the reset-before GRU whose candidate needs r first.
            int recColumns = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter ? 2 * h : gh;
            Gemm(false, false, d.B, recColumns, h, T.One, hs, h, uPtr, gh, T.Zero, r, gh);

            for (int b = 0; b < d.B; b++)
            {
                int row = b * d.Steps + t;
                bool valid = mask is null || mask[row] != T.Zero;
                T* hPrev = hs + b * h, rb = r + b * gh, xr = xp + row * gh, act = tape.Activations.Pointer + row * gh;
                switch (spec.Kind)
                {
                    case RecurrentKind.SimpleRnn:
                        for (int j = 0; j < h; j++)
                        {
                            act[j] = ActivationMath.Apply(spec.Activation, xr[j] + rb[j]);
                            if (valid) hPrev[j] = act[j];
                        }
                        break;
                    case RecurrentKind.Lstm:
                    {
                        T* cPrev = cs + b * h, cOut = tape.Cells.Pointer + row * h;
                        for (int j = 0; j < h; j++)
                        {
                            T i = Sigmoid(xr[j] + rb[j]);
                            T f = Sigmoid(xr[h + j] + rb[h + j]);
                            T g = ActivationMath.Apply(spec.Activation, xr[2 * h + j] + rb[2 * h + j]);
                            T o = Sigmoid(xr[3 * h + j] + rb[3 * h + j]);
                            act[j] = i; act[h + j] = f; act[2 * h + j] = g; act[3 * h + j] = o;
                            if (valid)
                            {
                                cPrev[j] = f * cPrev[j] + i * g;
                                hPrev[j] = o * ActivationMath.Apply(spec.Activation, cPrev[j]);
                            }
                            cOut[j] = cPrev[j];
                        }
                        break;
                    }
                    case RecurrentKind.Gru when spec.ResetAfter:
                    {
                        T* recH = tape.GruExtra.Pointer + row * h;
                        for (int j = 0; j < h; j++)
                        {
                            T z = Sigmoid(xr[j] + rb[j] + recBias[j]);
                            T rr = Sigmoid(xr[h + j] + rb[h + j] + recBias[h + j]);
                            recH[j] = rb[2 * h + j] + recBias[2 * h + j];
                            T hh = ActivationMath.Apply(spec.Activation, xr[2 * h + j] + rr * recH[j]);
                            act[j] = z; act[h + j] = rr; act[2 * h + j] = hh;
                            if (valid) hPrev[j] = z * hPrev[j] + (T.One - z) * hh;
                        }
                        break;
                    }
                    case RecurrentKind.Gru:
                    {
                        T* rh = tape.GruExtra.Pointer + row * h;
                        for (int j = 0; j < h; j++)
                        {
                            act[j] = Sigmoid(xr[j] + rb[j]);
                            act[h + j] = Sigmoid(xr[h + j] + rb[h + j]);
                            rh[j] = act[h + j] * hPrev[j];
                        }
                        break;
                    }
                }
            }

            if (spec.Kind == RecurrentKind.Gru && !spec.ResetAfter)
            {
                // Candidate of the reset-before GRU: (r ⊙ h) · U_h, then the state update.
                Gemm(false, false, d.B, h, h, T.One, tape.GruExtra.Pointer + t * h, d.Steps * h, uPtr + 2 * h, gh, T.Zero, r + 2 * h, gh);
                for (int b = 0; b < d.B; b++)
                {
                    int row = b * d.Steps + t;
                    bool valid = mask is null || mask[row] != T.Zero;
                    T* hPrev = hs + b * h, rb = r + b * gh, xr = xp + row * gh, act = tape.Activations.Pointer + row * gh;
                    for (int j = 0; j < h; j++)
                    {
                        T hh = ActivationMath.Apply(spec.Activation, xr[2 * h + j] + rb[2 * h + j]);
                        act[2 * h + j] = hh;
                        if (valid) hPrev[j] = act[j] * hPrev[j] + (T.One - act[j]) * hh;
                    }
                }
            }

            for (int b = 0; b < d.B; b++)
                new Span<T>(hs + b * h, h).CopyTo(new Span<T>(output + (b * d.Steps + t) * h, h));
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
        bool gruAfter = spec.Kind == RecurrentKind.Gru && spec.ResetAfter, gruBefore = spec.Kind == RecurrentKind.Gru && !spec.ResetAfter;

        using var dGates = NewFloat([bs, gh]);          // ∂loss/∂(pre-activation), rows b·T + t like the projection
        using var dRecurrent = gruAfter ? NewFloat([bs, gh]) : null; // reset-after GRU: what flows into h·U differs
        using var dh = NewFloat([d.B, h]);
        using var dc = NewFloat([d.B, h]);
        using var drh = gruBefore ? NewFloat([d.B, h]) : null;
        if (args.FinalHGrad is not null) Copy(args.FinalHGrad, dh);
        if (args.FinalCGrad is not null && spec.HasCellState) Copy(args.FinalCGrad, dc);

        T* dG = dGates.Pointer, dR = dRecurrent is null ? dG : dRecurrent.Pointer, dhp = dh.Pointer, dcp = dc.Pointer;
        T* dOut = args.OutputGrad is null ? null : F(args.OutputGrad).Pointer;
        T* mask = fwd.Mask is null ? null : F(fwd.Mask).Pointer;
        T* u = F(fwd.RecurrentKernel).Pointer;
        T* c0 = spec.HasCellState ? F(fwd.InitialC!).Pointer : null;

        for (int t = d.Steps - 1; t >= 0; t--)
        {
            for (int b = 0; b < d.B; b++)
            {
                int row = b * d.Steps + t;
                bool valid = mask is null || mask[row] != T.Zero;
                T* dhb = dhp + b * h, act = tape.Activations.Pointer + row * gh, g = dG + row * gh, hPrev = tape.HPrev.Pointer + row * h;
                if (dOut is not null) for (int j = 0; j < h; j++) dhb[j] += dOut[row * h + j];
                if (!valid) continue; // a masked step passes the state gradient straight through
                switch (spec.Kind)
                {
                    case RecurrentKind.SimpleRnn:
                        for (int j = 0; j < h; j++)
                        {
                            g[j] = dhb[j] * ActivationMath.DerivativeFromOutput(spec.Activation, act[j]);
                            dhb[j] = T.Zero;
                        }
                        break;
                    case RecurrentKind.Lstm:
                    {
                        T* cNow = tape.Cells.Pointer + row * h;
                        T* cPrev = t == 0 ? c0 + b * h : tape.Cells.Pointer + (row - 1) * h;
                        T* dcb = dcp + b * h;
                        for (int j = 0; j < h; j++)
                        {
                            T i = act[j], f = act[h + j], gg = act[2 * h + j], o = act[3 * h + j];
                            T tc = ActivationMath.Apply(spec.Activation, cNow[j]);
                            T dct = dcb[j] + dhb[j] * o * ActivationMath.DerivativeFromOutput(spec.Activation, tc);
                            g[j] = dct * gg * i * (T.One - i);
                            g[h + j] = dct * cPrev[j] * f * (T.One - f);
                            g[2 * h + j] = dct * i * ActivationMath.DerivativeFromOutput(spec.Activation, gg);
                            g[3 * h + j] = dhb[j] * tc * o * (T.One - o);
                            dcb[j] = dct * f;
                            dhb[j] = T.Zero;
                        }
                        break;
                    }
                    case RecurrentKind.Gru when spec.ResetAfter:
                    {
                        T* recH = tape.GruExtra.Pointer + row * h, gr = dR + row * gh;
                        for (int j = 0; j < h; j++)
                        {
                            T z = act[j], r = act[h + j], hh = act[2 * h + j];
                            T dhhPre = dhb[j] * (T.One - z) * ActivationMath.DerivativeFromOutput(spec.Activation, hh);
                            T dzPre = dhb[j] * (hPrev[j] - hh) * z * (T.One - z);
                            T drPre = dhhPre * recH[j] * r * (T.One - r);
                            g[j] = gr[j] = dzPre;
                            g[h + j] = gr[h + j] = drPre;
                            g[2 * h + j] = dhhPre;
                            gr[2 * h + j] = dhhPre * r;
                            dhb[j] *= z;
                        }
                        break;
                    }
                    case RecurrentKind.Gru:
                        for (int j = 0; j < h; j++)
                        {
                            T z = act[j], hh = act[2 * h + j];
                            g[2 * h + j] = dhb[j] * (T.One - z) * ActivationMath.DerivativeFromOutput(spec.Activation, hh);
                            g[j] = dhb[j] * (hPrev[j] - hh) * z * (T.One - z);
                        }
                        break;
                }
            }

            if (gruBefore)
            {
                // ∂(r ⊙ h_prev) from the candidate, then the reset gate and the direct paths into h_prev.
                T* drhp = drh!.Pointer;
                Gemm(false, true, d.B, h, h, T.One, dG + t * gh + 2 * h, d.Steps * gh, u + 2 * h, gh, T.Zero, drhp, h);
                for (int b = 0; b < d.B; b++)
                {
                    int row = b * d.Steps + t;
                    if (mask is not null && mask[row] == T.Zero) continue;
                    T* dhb = dhp + b * h, act = tape.Activations.Pointer + row * gh, g = dG + row * gh, hPrev = tape.HPrev.Pointer + row * h, dr = drhp + b * h;
                    for (int j = 0; j < h; j++)
                    {
                        T r = act[h + j];
                        g[h + j] = dr[j] * hPrev[j] * r * (T.One - r);
                        dhb[j] = dhb[j] * act[j] + dr[j] * r;
                    }
                }
            }

            // dh_prev += dGates_t · Uᵀ (only the gate blocks whose recurrent input is h_prev itself).
            int columns = gruBefore ? 2 * h : gh;
            Gemm(false, true, d.B, h, columns, T.One, dR + t * gh, d.Steps * gh, u, gh, T.One, dhp, h);
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
            Gemm(true, false, h, 2 * h, bs, T.One, tape.HPrev.Pointer, h, dG, gh, T.One, dU, gh);
            Gemm(true, false, h, h, bs, T.One, tape.GruExtra.Pointer, h, dG + 2 * h, gh, T.One, dU + 2 * h, gh);
        }
        else Gemm(true, false, h, gh, bs, T.One, tape.HPrev.Pointer, h, dR, gh, T.One, dU, gh);

        var biasGrad = F(args.BiasGrad);
        SumRowsAccumulate(dGates, BiasRow(biasGrad, 0, gh));
        if (gruAfter) SumRowsAccumulate(dRecurrent!, BiasRow(biasGrad, 1, gh));
    }

    private static T Sigmoid(T x) => T.One / (T.One + T.Exp(-x));

    /// <summary>Row <paramref name="index"/> of a bias that may hold two rows (reset-after GRU), as a window.</summary>
    private CpuTensor<T> BiasRow(CpuTensor<T> bias, int index, int width) =>
        index == 0 && bias.Length == width ? bias : new CpuTensor<T>(this, [width], FloatType, bias.Array, pool: null, bias.Offset + index * width);
}
