namespace RnnGpu.Backends;

/// <summary>Sizes of one fused recurrent call, checked once against every tensor so the kernels need no checks.</summary>
internal readonly record struct RecurrentDims(int B, int Steps, int I, int H, int GH, bool TwoBiases)
{
    /// <summary>Reads the sizes from the arguments and throws a message naming the tensor that does not fit.</summary>
    public static RecurrentDims Of(RecurrentSpec spec, RecurrentForwardArgs a)
    {
        if (a.Input.Shape.Length != 3) throw new ArgumentException($"Recurrent input must be [batch, steps, features], got {ShapeUtil.Format(a.Input.Shape)}.");
        int b = a.Input.Shape[0], steps = a.Input.Shape[1], i = a.Input.Shape[2], h = spec.Units, gh = spec.Gates * h;
        bool two = spec.Kind == RecurrentKind.Gru && spec.ResetAfter;
        Expect("kernel", a.Kernel, i, gh);
        Expect("recurrent kernel", a.RecurrentKernel, h, gh);
        if (a.Bias.Length != (two ? 2 : 1) * gh) throw new ArgumentException($"Recurrent bias has {a.Bias.Length} elements, expected {(two ? 2 : 1) * gh}.");
        Expect("initial state", a.InitialH, b, h);
        Expect("final state", a.FinalH, b, h);
        if (a.Output.Length != b * steps * h) throw new ArgumentException($"Recurrent output {ShapeUtil.Format(a.Output.Shape)} does not hold [{b}, {steps}, {h}].");
        if (a.Mask is not null && a.Mask.Length != b * steps) throw new ArgumentException($"Mask {ShapeUtil.Format(a.Mask.Shape)} does not match [{b}, {steps}].");
        if (spec.HasCellState)
        {
            if (a.InitialC is null || a.FinalC is null) throw new ArgumentException("An LSTM needs initial and final cell-state tensors.");
            Expect("initial cell state", a.InitialC, b, h);
            Expect("final cell state", a.FinalC, b, h);
        }
        return new RecurrentDims(b, steps, i, h, gh, two);
    }

    private static void Expect(string what, DeviceTensor t, int rows, int columns)
    {
        if (t.Length != rows * columns) throw new ArgumentException($"Recurrent {what} is {ShapeUtil.Format(t.Shape)}, expected [{rows}, {columns}].");
    }
}
