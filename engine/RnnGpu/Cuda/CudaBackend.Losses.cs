using RnnGpu.Backends;

namespace RnnGpu.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public double SoftmaxCrossEntropy(DeviceTensor logits, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dLogits, double scale)
    {
        var z = F(logits);
        var t = T(targets);
        int n = z.Rows, c = z.Columns;
        bool sparse = t.Type == DType.Int32;
        if (sparse ? t.Length != n : t.Length != z.Length)
            throw new ArgumentException($"Targets {ShapeUtil.Format(t.Shape)} do not match logits {ShapeUtil.Format(z.Shape)}.");
        ulong weights = Weights(rowWeights, n), grad = Gradient(dLogits, z);
        using var rowLoss = NewTensor([n], DType.Float32);
        var args = new KernelArguments(stackalloc ulong[8]);
        args.Pointer(z.Pointer); args.Pointer(t.Pointer); args.Pointer(weights); args.Pointer(grad);
        args.Float((float)scale); args.Int(n); args.Int(c); args.Pointer(rowLoss.Pointer);
        LaunchRows("loss", sparse ? "softmax_xent_sparse_f32" : "softmax_xent_dense_f32", n, args);
        return ReduceRaw(rowLoss.Pointer, n, squares: false);
    }

    /// <inheritdoc />
    public double BinaryCrossEntropy(DeviceTensor probabilities, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dProbabilities, double scale) =>
        Elementwise("binary_xent_f32", probabilities, targets, rowWeights, dProbabilities, scale);

    /// <inheritdoc />
    public double SigmoidBinaryCrossEntropy(DeviceTensor logits, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dLogits, double scale) =>
        Elementwise("sigmoid_binary_xent_f32", logits, targets, rowWeights, dLogits, scale);

    /// <inheritdoc />
    public double SquaredError(DeviceTensor predictions, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dPredictions, double scale) =>
        Elementwise("squared_error_f32", predictions, targets, rowWeights, dPredictions, scale);

    /// <inheritdoc />
    public double CountArgMaxMatches(DeviceTensor predictions, DeviceTensor targets, DeviceTensor? rowWeights)
    {
        var p = F(predictions);
        var t = T(targets);
        int n = p.Rows, c = p.Columns;
        bool labels = t.Type == DType.Int32;
        if (labels ? t.Length != n : t.Length != p.Length)
            throw new ArgumentException($"Targets {ShapeUtil.Format(t.Shape)} do not match predictions {ShapeUtil.Format(p.Shape)}.");
        using var match = NewTensor([n], DType.Float32);
        var args = new KernelArguments(stackalloc ulong[7]);
        args.Pointer(p.Pointer); args.Pointer(labels ? t.Pointer : 0); args.Pointer(labels ? 0 : t.Pointer); args.Pointer(Weights(rowWeights, n));
        args.Int(n); args.Int(c); args.Pointer(match.Pointer);
        Launch("loss", "argmax_matches_f32", n, args);
        return ReduceRaw(match.Pointer, n, squares: false);
    }

    /// <inheritdoc />
    public void ArgMaxRows(DeviceTensor x, Span<int> destination)
    {
        var xs = F(x);
        int n = xs.Rows;
        if (destination.Length < n) throw new ArgumentException($"Destination holds {destination.Length} indices, the tensor has {n} rows.");
        if (n == 0) return;
        using var result = NewTensor([n], DType.Int32);
        var args = new KernelArguments(stackalloc ulong[4]);
        args.Pointer(xs.Pointer); args.Int(n); args.Int(xs.Columns); args.Pointer(result.Pointer);
        Launch("loss", "argmax_rows_f32", n, args);
        Fetch(result.Pointer, MemoryMarshalHelpers.AsBytes(destination[..n]));
    }

    private double Elementwise(string kernel, DeviceTensor input, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dInput, double scale)
    {
        var x = F(input);
        var t = F(targets);
        if (x.Length != t.Length)
            throw new ArgumentException($"Targets {ShapeUtil.Format(t.Shape)} do not match predictions {ShapeUtil.Format(x.Shape)}.");
        using var loss = NewTensor([x.Length], DType.Float32);
        var args = new KernelArguments(stackalloc ulong[8]);
        args.Pointer(x.Pointer); args.Pointer(t.Pointer); args.Pointer(Weights(rowWeights, x.Rows)); args.Pointer(Gradient(dInput, x));
        args.Float((float)scale); args.Long(x.Length); args.Int(Math.Max(1, x.Columns)); args.Pointer(loss.Pointer);
        Launch("loss", kernel, x.Length, args);
        return ReduceRaw(loss.Pointer, x.Length, squares: false);
    }

    private ulong Weights(DeviceTensor? rowWeights, int rows)
    {
        if (rowWeights is null) return 0;
        var w = F(rowWeights);
        if (w.Length != rows) throw new ArgumentException($"Row weights {ShapeUtil.Format(w.Shape)} do not match {rows} rows.");
        return w.Pointer;
    }

    private ulong Gradient(DeviceTensor? gradient, CudaTensor like)
    {
        if (gradient is null) return 0;
        var g = F(gradient);
        if (g.Length != like.Length) throw new ArgumentException($"Gradient {ShapeUtil.Format(g.Shape)} does not match {ShapeUtil.Format(like.Shape)}.");
        return g.Pointer;
    }
}
