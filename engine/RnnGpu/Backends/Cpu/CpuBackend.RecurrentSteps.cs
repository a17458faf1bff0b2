using System.Diagnostics;
using System.Numerics.Tensors;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Backends;

public sealed unsafe partial class CpuBackend<T>
{
    /// <summary>
    /// What the forward time loops (split by batch rows, <see cref="ForwardLoop"/>, or by hidden units,
    /// <see cref="UnitForwardLoop"/>) share: the layer call's buffers, and the cell step of one batch row on a range of
    /// its units. Rows are b·T + t in the per-step buffers, as in the input projection.
    /// </summary>
    private abstract class ForwardSteps
    {
        public RecurrentSpec Spec;
        public RecurrentDims D;
        public bool KeepsEveryStep;
        public T* Act, HPrev, Cells, GruExtra, Cell, Rec, Output, Mask, RecBias, State;

        /// <summary>Row of batch row b at step t in the tape's per-step buffers (one row per batch row when only the current step is kept).</summary>
        protected int TapeRow(int b, int t) => KeepsEveryStep ? b * D.Steps + t : b;

        /// <summary>
        /// The cell of batch row <paramref name="b"/> at step <paramref name="t"/> on units [j0, j0 + hb.Length): turns
        /// the row's pre-activations plus its recurrent product (in <see cref="Rec"/>) into gate activations and updates
        /// the state <paramref name="hb"/> in place (it holds h_t on entry; a masked step keeps it). The reset-before
        /// GRU only gets its gates here (its candidate needs a second product) and only whole rows (j0 = 0).
        /// </summary>
        protected void CellStep(int b, int t, int j0, Span<T> hb, Span<T> scratch)
        {
            int h = D.H, gh = D.GH, w = hb.Length, row = b * D.Steps + t, kept = TapeRow(b, t);
            bool valid = Mask is null || Mask[row] != T.Zero;
            var a = Row(Act, row, gh)[j0..];
            var rb = Row(Rec, b, gh)[j0..];
            var kind = Spec.Activation;
            switch (Spec.Kind)
            {
                case RecurrentKind.SimpleRnn:
                    TensorPrimitives.Add(a[..w], rb[..w], a[..w]);
                    CpuCellKernels<T>.SimpleForward(kind, a[..w], hb, valid);
                    break;
                case RecurrentKind.Lstm:
                    CpuCellKernels<T>.LstmForward(kind, a, rb, Units(Cell, b, h, j0, w), hb, Units(Cells, kept, h, j0, w), valid, scratch, h);
                    break;
                case RecurrentKind.Gru when Spec.ResetAfter:
                    var recBias = RecBias is null ? default : new ReadOnlySpan<T>(RecBias + j0, gh - j0);
                    CpuCellKernels<T>.GruAfterForward(kind, a, rb, recBias, Units(GruExtra, kept, h, j0, w), hb, valid, h);
                    break;
                default:
                    Debug.Assert(j0 == 0 && w == h, "the reset-before GRU is never split by units");
                    CpuCellKernels<T>.GruBeforeGates(a, rb, hb, Row(GruExtra, kept, h));
                    break;
            }
        }
    }

    /// <summary>
    /// What the backward time loops (<see cref="BackwardLoop"/>, <see cref="UnitBackwardLoop"/>) share: the layer
    /// call's buffers, and the cell step of one batch row on a range of its units.
    /// </summary>
    private abstract class BackwardSteps
    {
        public RecurrentSpec Spec;
        public RecurrentDims D;
        public T* Act, HPrev, Cells, GruExtra, DGates, DRecurrent, Dh, Dc, DOutput, Mask, C0;

        /// <summary>
        /// The cell of batch row <paramref name="b"/> at step <paramref name="t"/> on units [j0, j0 + w), backwards:
        /// adds the output gradient to ∂h and turns ∂h (and ∂c) into the step's gate gradients, leaving in ∂h what flows
        /// to h_prev other than through the recurrent kernel. A masked step passes ∂h straight through. The reset-before
        /// GRU only gets its update and candidate gradients here, and only whole rows (j0 = 0).
        /// </summary>
        protected void CellStep(int b, int t, int j0, int w, Span<T> t1, Span<T> t2, Span<T> t3)
        {
            int h = D.H, gh = D.GH, row = b * D.Steps + t;
            var dhb = Units(Dh, b, h, j0, w);
            var dOut = DOutput is null ? default : Units(DOutput, row, h, j0, w);
            bool masked = Mask is not null && Mask[row] == T.Zero;
            // The LSTM and reset-after GRU cells add the output gradient themselves, inside their fused pass.
            bool cellAddsOutputGradient = Spec.Kind == RecurrentKind.Lstm || (Spec.Kind == RecurrentKind.Gru && Spec.ResetAfter);
            if (masked || !cellAddsOutputGradient)
            {
                if (!dOut.IsEmpty) TensorPrimitives.Add(dhb, dOut, dhb);
                if (masked) return;
            }
            var a = Row(Act, row, gh)[j0..];
            var g = Row(DGates, row, gh)[j0..];
            var kind = Spec.Activation;
            switch (Spec.Kind)
            {
                case RecurrentKind.SimpleRnn:
                    CpuCellKernels<T>.SimpleBackward(kind, a[..w], g[..w], dhb);
                    break;
                case RecurrentKind.Lstm:
                    var cPrev = t == 0 ? Units(C0, b, h, j0, w) : Units(Cells, row - 1, h, j0, w);
                    CpuCellKernels<T>.LstmBackward(kind, a, Units(Cells, row, h, j0, w), cPrev, dOut, g, dhb, Units(Dc, b, h, j0, w), t1, t2, t3, h);
                    break;
                case RecurrentKind.Gru when Spec.ResetAfter:
                    CpuCellKernels<T>.GruAfterBackward(kind, a, Units(GruExtra, row, h, j0, w), Units(HPrev, row, h, j0, w), dOut, g,
                        Row(DRecurrent, row, gh)[j0..], dhb, t1, t2, h);
                    break;
                default:
                    Debug.Assert(j0 == 0 && w == h, "the reset-before GRU is never split by units");
                    CpuCellKernels<T>.GruBeforeBackwardGates(kind, a, Row(HPrev, row, h), g, dhb, t1, t2);
                    break;
            }
        }
    }

    /// <summary>Row <paramref name="row"/> of width <paramref name="width"/> of a row-major block.</summary>
    private static Span<T> Row(T* block, int row, int width) => new(block + (long)row * width, width);

    /// <summary>Units [j0, j0 + w) of row <paramref name="row"/> of a block of width <paramref name="width"/>.</summary>
    private static Span<T> Units(T* block, int row, int width, int j0, int w) => new(block + (long)row * width + j0, w);
}
