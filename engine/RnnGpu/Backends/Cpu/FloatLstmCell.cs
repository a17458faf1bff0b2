using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// The LSTM cell with tanh activation in float as one pass over registers per batch row, forward and backward: the
/// same equations as <see cref="CpuCellKernels{T}.LstmForward"/> and <see cref="CpuCellKernels{T}.LstmBackward"/>,
/// which take a dozen separate <c>TensorPrimitives</c> sweeps, each paying a call and a trip through memory (at
/// H = 30, for a vector or two of work). Runs at the widest register width the hardware has
/// (<see cref="FloatLanes"/>).
/// </summary>
internal static class FloatLstmCell
{
    /// <inheritdoc cref="FloatLstmCell{TV}.Forward"/>
    public static void Forward(Span<float> act, ReadOnlySpan<float> rec, Span<float> c, Span<float> h, Span<float> cOut, int stride)
    {
        if (FloatLanes512.IsHardwareAccelerated) FloatLstmCell<FloatLanes512>.Forward(act, rec, c, h, cOut, stride);
        else FloatLstmCell<FloatLanes256>.Forward(act, rec, c, h, cOut, stride);
    }

    /// <inheritdoc cref="FloatLstmCell{TV}.Backward"/>
    public static void Backward(ReadOnlySpan<float> act, ReadOnlySpan<float> cNow, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> dOut, Span<float> gate, Span<float> dh, Span<float> dc, int stride)
    {
        if (FloatLanes512.IsHardwareAccelerated) FloatLstmCell<FloatLanes512>.Backward(act, cNow, cPrev, dOut, gate, dh, dc, stride);
        else FloatLstmCell<FloatLanes256>.Backward(act, cNow, cPrev, dOut, gate, dh, dc, stride);
    }
}

/// <summary>
/// <see cref="FloatLstmCell"/> at one register width. Rows are [i, f, c̃, o] blocks of width n (the units this call
/// updates) that start <c>stride</c> apart (H apart in a layer's row; a thread that owns units [j0, j0 + n) of every
/// gate passes the row from j0 and stride H). When n is not a
/// multiple of the width, the last full-width window [H − w, H) is computed first, from inputs nothing has updated
/// yet, into a scratch block, and copied into place after the main loop: the lanes it shares with the last whole
/// chunk receive the same values again, so there is no scalar tail. Rows must be at least one register wide
/// (narrower layers keep the generic kernels, whose per-call cost is small at that size anyway).
/// </summary>
internal static class FloatLstmCell<TV> where TV : struct, IFloatLanes<TV>
{
    /// <summary>
    /// One step of one unmasked row: <paramref name="act"/> holds the input projection (bias included) of the four gates
    /// and receives their activations, <paramref name="rec"/> is the recurrent product h·U, <paramref name="c"/> and
    /// <paramref name="h"/> are updated, and the new cell state is also written to <paramref name="cOut"/> (the tape).
    /// </summary>
    public static void Forward(Span<float> act, ReadOnlySpan<float> rec, Span<float> c, Span<float> h, Span<float> cOut, int stride)
    {
        int n = h.Length, w = TV.Count;
        if (n < w) throw new ArgumentException($"The fused cell needs at least {w} units per row, got {n}.", nameof(h));
        ref float a = ref MemoryMarshal.GetReference(act);
        ref float r = ref MemoryMarshal.GetReference(rec);
        ref float cs = ref MemoryMarshal.GetReference(c);
        ref float hs = ref MemoryMarshal.GetReference(h);
        ref float co = ref MemoryMarshal.GetReference(cOut);
        nuint un = (nuint)n, us = (nuint)stride, uw = (nuint)w, last = un - uw, whole = un - un % uw;

        // Scratch for the last window: four gate blocks, c and h (each w wide).
        Span<float> tail = stackalloc float[6 * w];
        ref float t = ref MemoryMarshal.GetReference(tail);
        ref float tc = ref Unsafe.Add(ref t, 4 * uw), th = ref Unsafe.Add(ref t, 5 * uw);
        if (whole != un) ForwardLanes(ref a, ref r, ref cs, last, us, ref t, ref tc, ref tc, ref th, 0, uw);
        for (nuint j = 0; j < whole; j += uw) ForwardLanes(ref a, ref r, ref cs, j, us, ref a, ref cs, ref co, ref hs, j, us);
        if (whole == un) return;
        for (nuint k = 0; k < 4; k++) FloatLanes.Copy<TV>(ref Unsafe.Add(ref t, k * uw), ref a, k * us + last);
        FloatLanes.Copy<TV>(ref tc, ref cs, last);
        FloatLanes.Copy<TV>(ref tc, ref co, last);
        FloatLanes.Copy<TV>(ref th, ref hs, last);
    }

    /// <summary>
    /// Backward through one unmasked step of one row: from the saved activations <paramref name="act"/>, the cell states
    /// after (<paramref name="cNow"/>) and before (<paramref name="cPrev"/>) the step, and the state gradients
    /// <paramref name="dh"/> (plus <paramref name="dOut"/>, when not empty: the gradient of the layer's output at this
    /// step) and <paramref name="dc"/>, writes the four pre-activation gradients to <paramref name="gate"/>; dc becomes
    /// ∂c_prev and dh is cleared (the recurrent GEMM that follows adds ∂h_prev into it).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> act, ReadOnlySpan<float> cNow, ReadOnlySpan<float> cPrev,
        ReadOnlySpan<float> dOut, Span<float> gate, Span<float> dh, Span<float> dc, int stride)
    {
        int n = dh.Length, w = TV.Count;
        if (n < w) throw new ArgumentException($"The fused cell needs at least {w} units per row, got {n}.", nameof(dh));
        var inputs = new BackwardInputs(act, cNow, cPrev, dOut);
        ref float g = ref MemoryMarshal.GetReference(gate);
        ref float dhs = ref MemoryMarshal.GetReference(dh);
        ref float dcs = ref MemoryMarshal.GetReference(dc);
        nuint un = (nuint)n, us = (nuint)stride, uw = (nuint)w, last = un - uw, whole = un - un % uw;

        // Scratch for the last window: four gate-gradient blocks, ∂c_prev and the cleared dh (each w wide). dh itself
        // is cleared after the main loop, which still reads the lanes the two windows share.
        Span<float> tail = stackalloc float[6 * w];
        ref float t = ref MemoryMarshal.GetReference(tail);
        ref float tdc = ref Unsafe.Add(ref t, 4 * uw), tdh = ref Unsafe.Add(ref t, 5 * uw);
        if (whole != un) BackwardLanes(in inputs, ref dhs, ref dcs, last, us, ref t, ref tdc, ref tdh, 0, uw);
        for (nuint j = 0; j < whole; j += uw) BackwardLanes(in inputs, ref dhs, ref dcs, j, us, ref g, ref dcs, ref dhs, j, us);
        if (whole == un) return;
        for (nuint k = 0; k < 4; k++) FloatLanes.Copy<TV>(ref Unsafe.Add(ref t, k * uw), ref g, k * us + last);
        FloatLanes.Copy<TV>(ref tdc, ref dcs, last);
        FloatLanes.Copy<TV>(ref tdh, ref dhs, last);
    }

    /// <summary>
    /// The forward cell for the w units from <paramref name="j"/> of input blocks <paramref name="n"/> apart; the results go
    /// to the w units from <paramref name="k"/> of output blocks <paramref name="nOut"/> apart (the row itself, or
    /// the tail's scratch), the new cell state to both <paramref name="cOut"/> and <paramref name="cTape"/>.
    /// </summary>
    private static void ForwardLanes(ref float act, ref float rec, ref float c, nuint j, nuint n,
        ref float actOut, ref float cOut, ref float cTape, ref float hOut, nuint k, nuint nOut)
    {
        var i = FloatVectorMath.Sigmoid(TV.Load(ref act, j) + TV.Load(ref rec, j));
        var f = FloatVectorMath.Sigmoid(TV.Load(ref act, n + j) + TV.Load(ref rec, n + j));
        var g = FloatVectorMath.Tanh(TV.Load(ref act, 2 * n + j) + TV.Load(ref rec, 2 * n + j));
        var o = FloatVectorMath.Sigmoid(TV.Load(ref act, 3 * n + j) + TV.Load(ref rec, 3 * n + j));
        var cNew = TV.MultiplyAdd(f, TV.Load(ref c, j), i * g);
        TV.Store(i, ref actOut, k);
        TV.Store(f, ref actOut, nOut + k);
        TV.Store(g, ref actOut, 2 * nOut + k);
        TV.Store(o, ref actOut, 3 * nOut + k);
        TV.Store(cNew, ref cOut, k);
        TV.Store(cNew, ref cTape, k);
        TV.Store(o * FloatVectorMath.Tanh(cNew), ref hOut, k);
    }

    /// <summary>The backward pass's read-only rows.</summary>
    private readonly ref struct BackwardInputs(ReadOnlySpan<float> act, ReadOnlySpan<float> cNow, ReadOnlySpan<float> cPrev, ReadOnlySpan<float> dOut)
    {
        public readonly ref readonly float Act = ref MemoryMarshal.GetReference(act);
        public readonly ref readonly float CNow = ref MemoryMarshal.GetReference(cNow);
        public readonly ref readonly float CPrev = ref MemoryMarshal.GetReference(cPrev);
        public readonly ref readonly float DOut = ref MemoryMarshal.GetReference(dOut);
        public readonly bool HasOut = !dOut.IsEmpty;
    }

    /// <summary>
    /// The backward cell for the w units from <paramref name="j"/> of input blocks <paramref name="n"/> apart; the gate
    /// gradients, ∂c_prev and the cleared dh go to the w units from <paramref name="k"/> of blocks spaced
    /// <paramref name="nOut"/>.
    /// </summary>
    private static void BackwardLanes(in BackwardInputs x, ref float dh, ref float dc, nuint j, nuint n,
        ref float gateOut, ref float dcOut, ref float dhOut, nuint k, nuint nOut)
    {
        var one = TV.Splat(1f);
        var i = TV.Load(ref Unsafe.AsRef(in x.Act), j);
        var f = TV.Load(ref Unsafe.AsRef(in x.Act), n + j);
        var g = TV.Load(ref Unsafe.AsRef(in x.Act), 2 * n + j);
        var o = TV.Load(ref Unsafe.AsRef(in x.Act), 3 * n + j);
        var dhv = TV.Load(ref dh, j);
        if (x.HasOut) dhv += TV.Load(ref Unsafe.AsRef(in x.DOut), j);
        var tc = FloatVectorMath.Tanh(TV.Load(ref Unsafe.AsRef(in x.CNow), j));
        // ∂c_t = dc + dh ⊙ o ⊙ (1 − tanh²c)
        var dct = TV.MultiplyAdd(dhv * o, one - tc * tc, TV.Load(ref dc, j));
        TV.Store(dct * g * i * (one - i), ref gateOut, k);
        TV.Store(dct * TV.Load(ref Unsafe.AsRef(in x.CPrev), j) * f * (one - f), ref gateOut, nOut + k);
        TV.Store(dct * i * (one - g * g), ref gateOut, 2 * nOut + k);
        TV.Store(dhv * tc * o * (one - o), ref gateOut, 3 * nOut + k);
        TV.Store(dct * f, ref dcOut, k);
        TV.Store(TV.Splat(0f), ref dhOut, k);
    }
}
