using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The reset-after GRU cell (Keras' default, and PyTorch's GRU) with tanh activation in float as one pass over
/// registers per batch row, forward and backward: the same equations as
/// <see cref="CpuCellKernels{T}.GruAfterForward"/> and <see cref="CpuCellKernels{T}.GruAfterBackward"/>, without
/// their separate <c>TensorPrimitives</c> sweeps. Runs at the widest register width the hardware has
/// (<see cref="FloatLanes"/>).
/// </summary>
internal static class FloatGruCell
{
    /// <inheritdoc cref="FloatGruCell{TV}.Forward"/>
    public static void Forward(Span<float> act, ReadOnlySpan<float> rec, ReadOnlySpan<float> recBias, Span<float> recH, Span<float> h, int stride)
    {
        if (FloatLanes512.IsHardwareAccelerated) FloatGruCell<FloatLanes512>.Forward(act, rec, recBias, recH, h, stride);
        else FloatGruCell<FloatLanes256>.Forward(act, rec, recBias, recH, h, stride);
    }

    /// <inheritdoc cref="FloatGruCell{TV}.Backward"/>
    public static void Backward(ReadOnlySpan<float> act, ReadOnlySpan<float> recH, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dOut,
        Span<float> gate, Span<float> recurrentGate, Span<float> dh, int stride)
    {
        if (FloatLanes512.IsHardwareAccelerated) FloatGruCell<FloatLanes512>.Backward(act, recH, hPrev, dOut, gate, recurrentGate, dh, stride);
        else FloatGruCell<FloatLanes256>.Backward(act, recH, hPrev, dOut, gate, recurrentGate, dh, stride);
    }
}

/// <summary>
/// <see cref="FloatGruCell"/> at one register width. Rows are [z, r, h̃] blocks of width n, <c>stride</c> apart (as in
/// <see cref="FloatLstmCell{TV}"/>); the last window is
/// handled as in <see cref="FloatLstmCell{TV}"/> (computed first into scratch, stored after the main loop), and rows
/// must be at least one register wide.
/// </summary>
internal static class FloatGruCell<TV> where TV : struct, IFloatLanes<TV>
{
    /// <summary>
    /// One step of one unmasked row: <paramref name="act"/> holds the input projection (input bias included) of
    /// [z, r, h̃] and receives the activations; <paramref name="rec"/> is h·U and <paramref name="recBias"/> the
    /// recurrent bias; h·U_h + b_rh is saved in <paramref name="recH"/> for the backward pass, and
    /// <paramref name="h"/> becomes z ⊙ h + (1 − z) ⊙ h̃.
    /// </summary>
    public static void Forward(Span<float> act, ReadOnlySpan<float> rec, ReadOnlySpan<float> recBias, Span<float> recH, Span<float> h, int stride)
    {
        int n = h.Length, w = TV.Count;
        if (n < w) throw new ArgumentException($"The fused cell needs at least {w} units per row, got {n}.", nameof(h));
        var inputs = new ForwardInputs(rec, recBias);
        ref float a = ref MemoryMarshal.GetReference(act);
        ref float rh = ref MemoryMarshal.GetReference(recH);
        ref float hs = ref MemoryMarshal.GetReference(h);
        nuint un = (nuint)n, us = (nuint)stride, uw = (nuint)w, last = un - uw, whole = un - un % uw;

        // Scratch for the last window: three gate blocks, h·U_h + b_rh and h (each w wide).
        Span<float> tail = stackalloc float[5 * w];
        ref float t = ref MemoryMarshal.GetReference(tail);
        ref float trh = ref Unsafe.Add(ref t, 3 * uw), th = ref Unsafe.Add(ref t, 4 * uw);
        if (whole != un) ForwardLanes(in inputs, ref a, ref hs, last, us, ref t, ref trh, ref th, 0, uw);
        for (nuint j = 0; j < whole; j += uw) ForwardLanes(in inputs, ref a, ref hs, j, us, ref a, ref rh, ref hs, j, us);
        if (whole == un) return;
        for (nuint k = 0; k < 3; k++) FloatLanes.Copy<TV>(ref Unsafe.Add(ref t, k * uw), ref a, k * us + last);
        FloatLanes.Copy<TV>(ref trh, ref rh, last);
        FloatLanes.Copy<TV>(ref th, ref hs, last);
    }

    /// <summary>
    /// Backward through one unmasked step of one row: from the saved activations <paramref name="act"/>, the saved
    /// h·U_h + b_rh (<paramref name="recH"/>), the previous state and the state gradient <paramref name="dh"/> (plus
    /// <paramref name="dOut"/>, when not empty), writes the input-side gate gradients to <paramref name="gate"/> and
    /// what flows into h·U to <paramref name="recurrentGate"/>; dh becomes its direct path into h_prev, z ⊙ dh (the
    /// recurrent GEMM that follows adds the rest).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> act, ReadOnlySpan<float> recH, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dOut,
        Span<float> gate, Span<float> recurrentGate, Span<float> dh, int stride)
    {
        int n = dh.Length, w = TV.Count;
        if (n < w) throw new ArgumentException($"The fused cell needs at least {w} units per row, got {n}.", nameof(dh));
        var inputs = new BackwardInputs(act, recH, hPrev, dOut);
        ref float g = ref MemoryMarshal.GetReference(gate);
        ref float rg = ref MemoryMarshal.GetReference(recurrentGate);
        ref float dhs = ref MemoryMarshal.GetReference(dh);
        nuint un = (nuint)n, us = (nuint)stride, uw = (nuint)w, last = un - uw, whole = un - un % uw;

        // Scratch for the last window: three gate-gradient blocks, three recurrent ones and dh (each w wide).
        Span<float> tail = stackalloc float[7 * w];
        ref float t = ref MemoryMarshal.GetReference(tail);
        ref float trg = ref Unsafe.Add(ref t, 3 * uw), tdh = ref Unsafe.Add(ref t, 6 * uw);
        if (whole != un) BackwardLanes(in inputs, ref dhs, last, us, ref t, ref trg, ref tdh, 0, uw);
        for (nuint j = 0; j < whole; j += uw) BackwardLanes(in inputs, ref dhs, j, us, ref g, ref rg, ref dhs, j, us);
        if (whole == un) return;
        for (nuint k = 0; k < 3; k++)
        {
            FloatLanes.Copy<TV>(ref Unsafe.Add(ref t, k * uw), ref g, k * us + last);
            FloatLanes.Copy<TV>(ref Unsafe.Add(ref trg, k * uw), ref rg, k * us + last);
        }
        FloatLanes.Copy<TV>(ref tdh, ref dhs, last);
    }

    /// <summary>The forward pass's read-only rows.</summary>
    private readonly ref struct ForwardInputs(ReadOnlySpan<float> rec, ReadOnlySpan<float> recBias)
    {
        public readonly ref readonly float Rec = ref MemoryMarshal.GetReference(rec);
        public readonly ref readonly float RecBias = ref MemoryMarshal.GetReference(recBias);
    }

    /// <summary>
    /// The forward cell for the w units from <paramref name="j"/> of input blocks <paramref name="n"/> apart; the results go
    /// to the w units from <paramref name="k"/> of output blocks <paramref name="nOut"/> apart.
    /// </summary>
    private static void ForwardLanes(in ForwardInputs x, ref float act, ref float h, nuint j, nuint n,
        ref float actOut, ref float recHOut, ref float hOut, nuint k, nuint nOut)
    {
        ref float rec = ref Unsafe.AsRef(in x.Rec);
        ref float bias = ref Unsafe.AsRef(in x.RecBias);
        var z = FloatVectorMath.Sigmoid(TV.Load(ref act, j) + TV.Load(ref rec, j) + TV.Load(ref bias, j));
        var r = FloatVectorMath.Sigmoid(TV.Load(ref act, n + j) + TV.Load(ref rec, n + j) + TV.Load(ref bias, n + j));
        var recH = TV.Load(ref rec, 2 * n + j) + TV.Load(ref bias, 2 * n + j);
        var candidate = FloatVectorMath.Tanh(TV.MultiplyAdd(r, recH, TV.Load(ref act, 2 * n + j)));
        TV.Store(z, ref actOut, k);
        TV.Store(r, ref actOut, nOut + k);
        TV.Store(candidate, ref actOut, 2 * nOut + k);
        TV.Store(recH, ref recHOut, k);
        // h̃ + z ⊙ (h − h̃)
        TV.Store(TV.MultiplyAdd(z, TV.Load(ref h, j) - candidate, candidate), ref hOut, k);
    }

    /// <summary>The backward pass's read-only rows.</summary>
    private readonly ref struct BackwardInputs(ReadOnlySpan<float> act, ReadOnlySpan<float> recH, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dOut)
    {
        public readonly ref readonly float Act = ref MemoryMarshal.GetReference(act);
        public readonly ref readonly float RecH = ref MemoryMarshal.GetReference(recH);
        public readonly ref readonly float HPrev = ref MemoryMarshal.GetReference(hPrev);
        public readonly ref readonly float DOut = ref MemoryMarshal.GetReference(dOut);
        public readonly bool HasOut = !dOut.IsEmpty;
    }

    /// <summary>
    /// The backward cell for the w units from <paramref name="j"/> of input blocks <paramref name="n"/> apart; the gate
    /// gradients, the recurrent ones and z ⊙ dh go to the w units from <paramref name="k"/> of blocks spaced
    /// <paramref name="nOut"/>.
    /// </summary>
    private static void BackwardLanes(in BackwardInputs x, ref float dh, nuint j, nuint n,
        ref float gateOut, ref float recurrentOut, ref float dhOut, nuint k, nuint nOut)
    {
        ref float act = ref Unsafe.AsRef(in x.Act);
        var one = TV.Splat(1f);
        var z = TV.Load(ref act, j);
        var r = TV.Load(ref act, n + j);
        var candidate = TV.Load(ref act, 2 * n + j);
        var dhv = TV.Load(ref dh, j);
        if (x.HasOut) dhv += TV.Load(ref Unsafe.AsRef(in x.DOut), j);
        // candidate: dh ⊙ (1 − z) ⊙ (1 − h̃²); update gate: dh ⊙ (h_prev − h̃) ⊙ σ'; reset gate: dh̃ ⊙ (h·U_h + b_rh) ⊙ σ'
        var dCandidate = dhv * (one - z) * (one - candidate * candidate);
        var dz = dhv * (TV.Load(ref Unsafe.AsRef(in x.HPrev), j) - candidate) * z * (one - z);
        var dr = dCandidate * TV.Load(ref Unsafe.AsRef(in x.RecH), j) * r * (one - r);
        TV.Store(dz, ref gateOut, k);
        TV.Store(dr, ref gateOut, nOut + k);
        TV.Store(dCandidate, ref gateOut, 2 * nOut + k);
        TV.Store(dz, ref recurrentOut, k);
        TV.Store(dr, ref recurrentOut, nOut + k);
        TV.Store(dCandidate * r, ref recurrentOut, 2 * nOut + k);
        TV.Store(dhv * z, ref dhOut, k);
    }
}
