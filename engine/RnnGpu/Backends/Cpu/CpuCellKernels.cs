using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The pointwise part of one recurrent step for one batch row, on spans of width H, vectorised through
/// <see cref="TensorPrimitives"/> (in float with tanh, the LSTM and the reset-after GRU go through the fused
/// <see cref="FloatLstmCell"/> and <see cref="FloatGruCell"/>). Forward methods take the pre-activations (projection + recurrent product) and
/// write gate activations; backward methods turn the state gradients into pre-activation gradients.
/// </summary>
internal static class CpuCellKernels<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>y = f(x) for a pointwise activation (x and y may alias).</summary>
    public static void Activate(ActivationKind kind, ReadOnlySpan<T> x, Span<T> y)
    {
        switch (kind)
        {
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case ActivationKind.Relu: TensorPrimitives.Max(x, T.Zero, y); break;
            case ActivationKind.Linear: x.CopyTo(y); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pointwise activation.");
        }
    }

    /// <summary>d = f'(x) expressed through y = f(x).</summary>
    public static void DerivativeFromOutput(ActivationKind kind, ReadOnlySpan<T> y, Span<T> d)
    {
        switch (kind)
        {
            case ActivationKind.Tanh:
                TensorPrimitives.Multiply(y, y, d);
                TensorPrimitives.Subtract(T.One, d, d);
                break;
            case ActivationKind.Sigmoid:
                TensorPrimitives.Subtract(T.One, y, d);
                TensorPrimitives.Multiply(d, y, d);
                break;
            case ActivationKind.Relu:
                for (int j = 0; j < y.Length; j++) d[j] = y[j] > T.Zero ? T.One : T.Zero;
                break;
            case ActivationKind.Linear: d.Fill(T.One); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a pointwise activation.");
        }
    }

    /// <summary>g = dy ⊙ σ'(from σ output s) = dy ⊙ s ⊙ (1 - s).</summary>
    private static void SigmoidGrad(ReadOnlySpan<T> dy, ReadOnlySpan<T> s, Span<T> g, Span<T> tmp)
    {
        TensorPrimitives.Subtract(T.One, s, tmp);
        TensorPrimitives.Multiply(tmp, s, tmp);
        TensorPrimitives.Multiply(dy, tmp, g);
    }

    // ------------------------------------------------------------------ SimpleRNN

    public static void SimpleForward(ActivationKind kind, Span<T> act, Span<T> h, bool valid)
    {
        Activate(kind, act, act);
        if (valid) act.CopyTo(h);
    }

    /// <summary>gate = dh ⊙ f'(h_new); dh is then cleared (its recurrent part is added by the GEMM that follows).</summary>
    public static void SimpleBackward(ActivationKind kind, ReadOnlySpan<T> act, Span<T> gate, Span<T> dh)
    {
        DerivativeFromOutput(kind, act, gate);
        TensorPrimitives.Multiply(gate, dh, gate);
        dh.Clear();
    }

    // ------------------------------------------------------------------ LSTM

    /// <summary>
    /// act holds the input projections of [i, f, c̃, o] on entry and, with the recurrent product <paramref name="rec"/>
    /// added, their activations on exit. The gate blocks of act and rec are <paramref name="stride"/> apart (0: the
    /// width of h, i.e. whole rows; a thread that owns some of the units passes the rows from its first unit and H).
    /// </summary>
    public static void LstmForward(ActivationKind kind, Span<T> act, ReadOnlySpan<T> rec, Span<T> c, Span<T> h, Span<T> cOut, bool valid, Span<T> tmp,
        int stride = 0)
    {
        int n = h.Length, s = stride == 0 ? n : stride;
        if (typeof(T) == typeof(float) && kind == ActivationKind.Tanh && valid && FloatLanes.Supports(n))
        {
            FloatLstmCell.Forward(AsFloat(act), AsFloat(rec), AsFloat(c), AsFloat(h), AsFloat(cOut), s);
            return;
        }
        var i = act[..n]; var f = act.Slice(s, n); var g = act.Slice(2 * s, n); var o = act.Slice(3 * s, n);
        for (int k = 0; k < 4; k++) TensorPrimitives.Add(act.Slice(k * s, n), rec.Slice(k * s, n), act.Slice(k * s, n));
        TensorPrimitives.Sigmoid(i, i);
        TensorPrimitives.Sigmoid(f, f);
        Activate(kind, g, g);
        TensorPrimitives.Sigmoid(o, o);
        if (valid)
        {
            TensorPrimitives.Multiply(f, c, c);
            TensorPrimitives.MultiplyAdd(i, g, c, c);
            Activate(kind, c, tmp);
            TensorPrimitives.Multiply(o, tmp, h);
        }
        c.CopyTo(cOut);
    }

    /// <summary>
    /// From dh (plus the output gradient <paramref name="dOut"/>, when not empty), dc (in/out) and the saved activations
    /// to the four gate gradients; dh is cleared, dc becomes dc_prev. Gate blocks are <paramref name="stride"/> apart,
    /// as in <see cref="LstmForward"/>.
    /// </summary>
    public static void LstmBackward(ActivationKind kind, ReadOnlySpan<T> act, ReadOnlySpan<T> cNow, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> dOut,
        Span<T> gate, Span<T> dh, Span<T> dc, Span<T> tc, Span<T> t1, Span<T> t2, int stride = 0)
    {
        int n = dh.Length, s = stride == 0 ? n : stride;
        if (typeof(T) == typeof(float) && kind == ActivationKind.Tanh && FloatLanes.Supports(n))
        {
            FloatLstmCell.Backward(AsFloat(act), AsFloat(cNow), AsFloat(cPrev), AsFloat(dOut), AsFloat(gate), AsFloat(dh), AsFloat(dc), s);
            return;
        }
        if (!dOut.IsEmpty) TensorPrimitives.Add(dh, dOut, dh);
        var i = act[..n]; var f = act.Slice(s, n); var g = act.Slice(2 * s, n); var o = act.Slice(3 * s, n);
        Activate(kind, cNow, tc);
        // dct = dc + dh ⊙ o ⊙ f'(c)
        DerivativeFromOutput(kind, tc, t1);
        TensorPrimitives.Multiply(t1, o, t1);
        TensorPrimitives.MultiplyAdd(t1, dh, dc, t1);                 // t1 = dct
        // o gate: dh ⊙ tanh(c) ⊙ σ'
        TensorPrimitives.Multiply(dh, tc, t2);
        SigmoidGrad(t2, o, gate.Slice(3 * s, n), tc);
        // i gate: dct ⊙ c̃ ⊙ σ'
        TensorPrimitives.Multiply(t1, g, t2);
        SigmoidGrad(t2, i, gate[..n], tc);
        // f gate: dct ⊙ c_prev ⊙ σ'
        TensorPrimitives.Multiply(t1, cPrev, t2);
        SigmoidGrad(t2, f, gate.Slice(s, n), tc);
        // candidate: dct ⊙ i ⊙ f'(c̃)
        DerivativeFromOutput(kind, g, t2);
        TensorPrimitives.Multiply(t2, i, t2);
        TensorPrimitives.Multiply(t2, t1, gate.Slice(2 * s, n));
        TensorPrimitives.Multiply(t1, f, dc);
        dh.Clear();
    }

    // ------------------------------------------------------------------ GRU

    /// <summary>
    /// Reset-after GRU. act holds the input pre-activations [x_z, x_r, x_h] (bias included), rec the recurrent product
    /// h·U; the recurrent bias is added here. Saves h·U_h + b_rh in <paramref name="recH"/>. Gate blocks of act, rec and
    /// recBias are <paramref name="stride"/> apart, as in <see cref="LstmForward"/>.
    /// </summary>
    public static void GruAfterForward(ActivationKind kind, Span<T> act, ReadOnlySpan<T> rec, ReadOnlySpan<T> recBias, Span<T> recH, Span<T> h, bool valid,
        int stride = 0)
    {
        int n = h.Length, s = stride == 0 ? n : stride;
        if (typeof(T) == typeof(float) && kind == ActivationKind.Tanh && valid && FloatLanes.Supports(n))
        {
            FloatGruCell.Forward(AsFloat(act), AsFloat(rec), AsFloat(recBias), AsFloat(recH), AsFloat(h), s);
            return;
        }
        var z = act[..n]; var r = act.Slice(s, n); var hh = act.Slice(2 * s, n);
        for (int k = 0; k < 2; k++)
        {
            var gate = act.Slice(k * s, n);
            TensorPrimitives.Add(gate, rec.Slice(k * s, n), gate);
            TensorPrimitives.Add(gate, recBias.Slice(k * s, n), gate);
            TensorPrimitives.Sigmoid(gate, gate);
        }
        TensorPrimitives.Add(rec.Slice(2 * s, n), recBias.Slice(2 * s, n), recH);
        TensorPrimitives.MultiplyAdd(r, recH, hh, hh);  // x_h + r ⊙ (h·U_h + b_rh)
        Activate(kind, hh, hh);
        if (valid) Blend(z, h, hh);
    }

    /// <summary>
    /// Reset-after GRU backward: gate (input side) and recurrentGate (what flows into h·U) from dh plus the output
    /// gradient <paramref name="dOut"/> (when not empty); dh becomes its direct part z ⊙ dh. Gate blocks are
    /// <paramref name="stride"/> apart, as in <see cref="LstmForward"/>.
    /// </summary>
    public static void GruAfterBackward(ActivationKind kind, ReadOnlySpan<T> act, ReadOnlySpan<T> recH, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> dOut,
        Span<T> gate, Span<T> recurrentGate, Span<T> dh, Span<T> t1, Span<T> t2, int stride = 0)
    {
        int n = dh.Length, s = stride == 0 ? n : stride;
        if (typeof(T) == typeof(float) && kind == ActivationKind.Tanh && FloatLanes.Supports(n))
        {
            FloatGruCell.Backward(AsFloat(act), AsFloat(recH), AsFloat(hPrev), AsFloat(dOut), AsFloat(gate), AsFloat(recurrentGate), AsFloat(dh), s);
            return;
        }
        if (!dOut.IsEmpty) TensorPrimitives.Add(dh, dOut, dh);
        var z = act[..n]; var r = act.Slice(s, n); var hh = act.Slice(2 * s, n);
        var dz = gate[..n]; var dr = gate.Slice(s, n); var dhh = gate.Slice(2 * s, n);
        // candidate: dh ⊙ (1 - z) ⊙ f'(h̃)
        DerivativeFromOutput(kind, hh, t1);
        TensorPrimitives.Subtract(T.One, z, t2);
        TensorPrimitives.Multiply(t1, t2, t1);
        TensorPrimitives.Multiply(t1, dh, dhh);
        // update gate: dh ⊙ (h_prev - h̃) ⊙ σ'
        TensorPrimitives.Subtract(hPrev, hh, t1);
        TensorPrimitives.Multiply(t1, dh, t1);
        SigmoidGrad(t1, z, dz, t2);
        // reset gate: dh̃ ⊙ (h·U_h + b_rh) ⊙ σ'
        TensorPrimitives.Multiply(dhh, recH, t1);
        SigmoidGrad(t1, r, dr, t2);
        dz.CopyTo(recurrentGate);
        dr.CopyTo(recurrentGate.Slice(s, n));
        TensorPrimitives.Multiply(dhh, r, recurrentGate.Slice(2 * s, n));
        TensorPrimitives.Multiply(dh, z, dh);
    }

    /// <summary>Reset-before GRU, first half: z and r from the pre-activations, and r ⊙ h_prev for the candidate's GEMM.</summary>
    public static void GruBeforeGates(Span<T> act, ReadOnlySpan<T> rec, ReadOnlySpan<T> hPrev, Span<T> rh)
    {
        int n = hPrev.Length;
        var zr = act[..(2 * n)];
        TensorPrimitives.Add(zr, rec[..(2 * n)], zr);
        TensorPrimitives.Sigmoid(zr, zr);
        TensorPrimitives.Multiply(act.Slice(n, n), hPrev, rh);
    }

    /// <summary>Reset-before GRU, second half: the candidate from x_h + (r ⊙ h)·U_h and the state update.</summary>
    public static void GruBeforeCandidate(ActivationKind kind, Span<T> act, ReadOnlySpan<T> recH, Span<T> h, bool valid)
    {
        int n = h.Length;
        var hh = act.Slice(2 * n, n);
        TensorPrimitives.Add(hh, recH, hh);
        Activate(kind, hh, hh);
        if (valid) Blend(act[..n], h, hh);
    }

    /// <summary>Reset-before GRU backward, first half: the update and candidate gradients.</summary>
    public static void GruBeforeBackwardGates(ActivationKind kind, ReadOnlySpan<T> act, ReadOnlySpan<T> hPrev, Span<T> gate, ReadOnlySpan<T> dh, Span<T> t1, Span<T> t2)
    {
        int n = dh.Length;
        var z = act[..n]; var hh = act.Slice(2 * n, n);
        DerivativeFromOutput(kind, hh, t1);
        TensorPrimitives.Subtract(T.One, z, t2);
        TensorPrimitives.Multiply(t1, t2, t1);
        TensorPrimitives.Multiply(t1, dh, gate.Slice(2 * n, n));
        TensorPrimitives.Subtract(hPrev, hh, t1);
        TensorPrimitives.Multiply(t1, dh, t1);
        SigmoidGrad(t1, z, gate[..n], t2);
    }

    /// <summary>Reset-before GRU backward, second half: from ∂(r ⊙ h_prev) to the reset gradient and the direct paths into h_prev.</summary>
    public static void GruBeforeBackwardReset(ReadOnlySpan<T> act, ReadOnlySpan<T> hPrev, ReadOnlySpan<T> drh, Span<T> gate, Span<T> dh, Span<T> t1, Span<T> t2)
    {
        int n = dh.Length;
        var z = act[..n]; var r = act.Slice(n, n);
        TensorPrimitives.Multiply(drh, hPrev, t1);
        SigmoidGrad(t1, r, gate.Slice(n, n), t2);
        TensorPrimitives.Multiply(dh, z, dh);
        TensorPrimitives.MultiplyAdd(drh, r, dh, dh);
    }

    /// <summary>The same span as float, for the float-only fused cells (only called when T is float).</summary>
    private static Span<float> AsFloat(Span<T> s) => MemoryMarshal.Cast<T, float>(s);

    private static ReadOnlySpan<float> AsFloat(ReadOnlySpan<T> s) => MemoryMarshal.Cast<T, float>(s);

    /// <summary>h = z ⊙ h + (1 - z) ⊙ h̃ = h̃ + z ⊙ (h - h̃).</summary>
    private static void Blend(ReadOnlySpan<T> z, Span<T> h, ReadOnlySpan<T> hh)
    {
        TensorPrimitives.Subtract(h, hh, h);
        TensorPrimitives.MultiplyAdd(z, h, hh, h);
    }
}
