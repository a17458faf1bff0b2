using RnnGpu.Backends;

namespace RnnGpu.Graphs;

public sealed partial class Graph
{
    /// <summary>y = a·b, where a is seen as a matrix <c>[rows, k]</c> (leading dimensions are kept) and b is <c>[k, n]</c>.</summary>
    public Node MatMul(Node a, Node b)
    {
        if (b.Shape.Length != 2 || a.Value.Columns != b.Shape[0])
            throw new ArgumentException($"MatMul: cannot multiply {ShapeUtil.Format(a.Shape)} by {ShapeUtil.Format(b.Shape)}; the last dimension of the left operand must equal the first of a 2-D right operand.");
        int[] shape = [.. a.Shape[..^1], b.Shape[1]];
        var y = Backend.Allocate(shape);
        Backend.Gemm(a.Value, false, b.Value, false, y);
        return Record(y, [a, b], "matmul", node => () =>
        {
            var dy = node.Grad!;
            if (a.RequiresGrad) Backend.Gemm(dy, false, b.Value, true, GradOf(a), 1, 1);
            if (b.RequiresGrad) Backend.Gemm(a.Value, true, dy, false, GradOf(b), 1, 1);
        });
    }

    /// <summary>y = a + b (equal shapes).</summary>
    public Node Add(Node a, Node b) => Binary(a, b, "add", Backend.Add, (dy, node) =>
    {
        if (a.RequiresGrad) Backend.Axpy(1, dy, GradOf(a));
        if (b.RequiresGrad) Backend.Axpy(1, dy, GradOf(b));
    });

    /// <summary>y = a - b (equal shapes).</summary>
    public Node Subtract(Node a, Node b) => Binary(a, b, "subtract", Backend.Subtract, (dy, node) =>
    {
        if (a.RequiresGrad) Backend.Axpy(1, dy, GradOf(a));
        if (b.RequiresGrad) Backend.Axpy(-1, dy, GradOf(b));
    });

    /// <summary>y = a ⊙ b (equal shapes).</summary>
    public Node Multiply(Node a, Node b) => Binary(a, b, "multiply", Backend.Multiply, (dy, node) =>
    {
        if (a.RequiresGrad) Backend.MultiplyAccumulate(dy, b.Value, GradOf(a));
        if (b.RequiresGrad) Backend.MultiplyAccumulate(dy, a.Value, GradOf(b));
    });

    /// <summary>y[..., j] = x[..., j] + bias[j].</summary>
    public Node AddBias(Node x, Node bias)
    {
        if (bias.Shape.Length != 1 || bias.Shape[0] != x.Value.Columns)
            throw new ArgumentException($"AddBias: bias {ShapeUtil.Format(bias.Shape)} is not a vector as long as the last dimension of {ShapeUtil.Format(x.Shape)}.");
        var y = Backend.Allocate(x.Shape);
        Backend.AddRowVector(x.Value, bias.Value, y);
        return Record(y, [x, bias], "bias_add", node => () =>
        {
            if (x.RequiresGrad) Backend.Axpy(1, node.Grad!, GradOf(x));
            if (bias.RequiresGrad) Backend.SumRowsAccumulate(node.Grad!, GradOf(bias));
        }).WithMaskOf(x);
    }

    /// <summary>y = f(x) for a pointwise activation, or softmax over the last axis.</summary>
    public Node Activation(ActivationKind kind, Node x)
    {
        if (kind == ActivationKind.Linear) return x;
        var y = Backend.Allocate(x.Shape);
        Backend.Activation(kind, x.Value, y);
        return Record(y, [x], kind.ToString().ToLowerInvariant(), node => () =>
            Backend.ActivationBackward(kind, node.Value, node.Grad!, GradOf(x))).WithMaskOf(x);
    }

    /// <summary>Logistic sigmoid.</summary>
    public Node Sigmoid(Node x) => Activation(ActivationKind.Sigmoid, x);

    /// <summary>Hyperbolic tangent.</summary>
    public Node Tanh(Node x) => Activation(ActivationKind.Tanh, x);

    /// <summary>Rectified linear unit.</summary>
    public Node Relu(Node x) => Activation(ActivationKind.Relu, x);

    /// <summary>Softmax over the last axis.</summary>
    public Node Softmax(Node x) => Activation(ActivationKind.Softmax, x);

    /// <summary>Columns <c>[start, start + count)</c> of the last axis.</summary>
    public Node Slice(Node x, int start, int count)
    {
        if (start < 0 || count < 0 || start + count > x.Value.Columns)
            throw new ArgumentOutOfRangeException(nameof(count), $"Slice [{start}, {start + count}) is outside the last dimension of {ShapeUtil.Format(x.Shape)}.");
        int[] shape = [.. x.Shape[..^1], count];
        var y = Backend.Allocate(shape);
        Backend.CopyColumns(x.Value, start, y, 0, count, accumulate: false);
        return Record(y, [x], "slice", node => () => Backend.CopyColumns(node.Grad!, 0, GradOf(x), start, count, accumulate: true)).WithMaskOf(x);
    }

    /// <summary>Concatenation along the last axis; all leading dimensions must agree.</summary>
    public Node Concat(params Node[] parts)
    {
        if (parts.Length == 0) throw new ArgumentException("Concat needs at least one input.");
        int rows = parts[0].Value.Rows, total = 0;
        foreach (var p in parts)
        {
            if (p.Value.Rows != rows || !p.Shape[..^1].AsSpan().SequenceEqual(parts[0].Shape[..^1]))
                throw new ArgumentException($"Concat: {ShapeUtil.Format(p.Shape)} does not match {ShapeUtil.Format(parts[0].Shape)} in its leading dimensions.");
            total += p.Value.Columns;
        }
        int[] shape = [.. parts[0].Shape[..^1], total];
        var y = Backend.Allocate(shape);
        int offset = 0;
        foreach (var p in parts)
        {
            Backend.CopyColumns(p.Value, 0, y, offset, p.Value.Columns, accumulate: false);
            offset += p.Value.Columns;
        }
        return Record(y, parts, "concat", node => () =>
        {
            int at = 0;
            foreach (var p in parts)
            {
                if (p.RequiresGrad) Backend.CopyColumns(node.Grad!, at, GradOf(p), 0, p.Value.Columns, accumulate: true);
                at += p.Value.Columns;
            }
        });
    }

    /// <summary>The same data with another shape (one dimension may be -1). No copy.</summary>
    public Node Reshape(Node x, params int[] shape)
    {
        shape = ShapeUtil.Resolve(shape, x.Value.Length);
        var y = Backend.View(x.Value, shape);
        return Record(y, [x], "reshape", node => () => Backend.Axpy(1, Backend.View(node.Grad!, x.Shape), GradOf(x)));
    }

    /// <summary>Timestep <paramref name="t"/> of a sequence <c>[B, T, F]</c>, as <c>[B, F]</c>.</summary>
    public Node Timestep(Node sequence, int t)
    {
        if (sequence.Shape.Length != 3) throw new ArgumentException($"Timestep needs a [batch, steps, features] sequence, got {ShapeUtil.Format(sequence.Shape)}.");
        var y = Backend.Allocate(sequence.Shape[0], sequence.Shape[2]);
        Backend.CopyTimestep(sequence.Value, t, y, toSequence: false, accumulate: false);
        return Record(y, [sequence], "timestep", node => () =>
            Backend.CopyTimestep(GradOf(sequence), t, node.Grad!, toSequence: true, accumulate: true));
    }

    /// <summary>Stacks <c>[B, F]</c> steps into a sequence <c>[B, T, F]</c>.</summary>
    public Node Stack(IReadOnlyList<Node> steps)
    {
        if (steps.Count == 0) throw new ArgumentException("Stack needs at least one step.");
        if (steps[0].Shape.Length != 2) throw new ArgumentException($"Stack: step 0 is {ShapeUtil.Format(steps[0].Shape)}, expected [batch, features].");
        int b = steps[0].Shape[0], f = steps[0].Shape[1];
        var y = Backend.Allocate(b, steps.Count, f);
        for (int t = 0; t < steps.Count; t++)
        {
            if (!ShapeUtil.Equal(steps[t].Shape, steps[0].Shape)) throw new ArgumentException($"Stack: step {t} is {ShapeUtil.Format(steps[t].Shape)}, expected {ShapeUtil.Format([b, f])}.");
            Backend.CopyTimestep(y, t, steps[t].Value, toSequence: true, accumulate: false);
        }
        return Record(y, [.. steps], "stack", node => () =>
        {
            for (int t = 0; t < steps.Count; t++)
                if (steps[t].RequiresGrad) Backend.CopyTimestep(node.Grad!, t, GradOf(steps[t]), toSequence: false, accumulate: true);
        });
    }

    /// <summary>Rows of <paramref name="table"/> <c>[V, D]</c> picked by Int32 indices; the result has the indices' shape plus D.</summary>
    public Node Gather(Node table, DeviceTensor indices)
    {
        int[] shape = [.. indices.Shape, table.Value.Columns];
        var y = Backend.Allocate(shape);
        Backend.Gather(table.Value, indices, y);
        return Record(y, [table], "gather", node => () => Backend.ScatterAdd(node.Grad!, indices, GradOf(table)));
    }

    /// <summary>
    /// The sequence <c>[B, T, …]</c> with its timesteps in reverse order, and its mask reversed with it (Keras's
    /// <c>go_backwards</c> and <c>Bidirectional</c> read and return sequences this way). Padding stays where it was in
    /// each row's reversed order: a post-padded row becomes pre-padded.
    /// </summary>
    public Node ReverseTime(Node sequence)
    {
        if (sequence.Shape.Length < 3) throw new ArgumentException($"ReverseTime needs a [batch, steps, features…] sequence, got {ShapeUtil.Format(sequence.Shape)}.");
        int rows = sequence.Shape[0] * sequence.Shape[1], steps = sequence.Shape[1];
        // As a gather of the [B·T, F] rows: row b·T + t comes from b·T + (T-1-t). A permutation, so its scatter-add
        // backward writes every row once.
        var order = new int[rows];
        for (int r = 0; r < rows; r++) order[r] = r - r % steps + steps - 1 - r % steps;
        var indices = Own(Backend.UploadIndices(order, [rows]));
        int features = sequence.Value.Length / Math.Max(1, rows);
        var y = Backend.Allocate(sequence.Shape);
        Backend.Gather(Backend.View(sequence.Value, [rows, features]), indices, Backend.View(y, [rows, features]));
        var node = Record(y, [sequence], "reverse_time", n => () =>
            Backend.ScatterAdd(Backend.View(n.Grad!, [rows, features]), indices, Backend.View(GradOf(sequence), [rows, features])));
        if (sequence.Mask is { } mask)
        {
            var reversed = NewTensor(mask.Shape);
            Backend.Gather(Backend.View(mask, [rows, 1]), indices, Backend.View(reversed, [rows, 1]));
            node.Mask = reversed;
        }
        return node;
    }

    /// <summary>y = alpha·x.</summary>
    public Node Scale(Node x, double alpha) => Affine(x, alpha, 0);

    /// <summary>y = scale·x + shift, element-wise: the scalar arithmetic of a custom cell, e.g. <c>1 − z</c> as <c>Affine(z, -1, 1)</c>.</summary>
    public Node Affine(Node x, double scale, double shift)
    {
        var y = Backend.Allocate(x.Shape);
        if (shift != 0) Backend.Fill(y, shift);
        Backend.Axpy(scale, x.Value, y);
        return Record(y, [x], "affine", node => () => Backend.Axpy(scale, node.Grad!, GradOf(x))).WithMaskOf(x);
    }

    /// <summary>y = 1 − x (a GRU's update gate turned around, a forget gate from an input gate).</summary>
    public Node OneMinus(Node x) => Affine(x, -1, 1);

    /// <summary>
    /// Inverted dropout: in training, zeroes each element with probability <paramref name="rate"/> and scales the rest by
    /// 1/(1-rate). With <paramref name="noiseShape"/> (Keras <c>noise_shape</c>: x's shape with some axes 1), one draw is
    /// shared along every axis of extent 1, e.g. <c>[B, 1, F]</c> drops the same features at every timestep.
    /// </summary>
    public Node Dropout(Node x, double rate, Random random, int[]? noiseShape = null)
    {
        if (!Training || rate <= 0) return x;
        noiseShape ??= x.Shape;
        if (noiseShape.Length != x.Shape.Length || noiseShape.Where((d, i) => d != 1 && d != x.Shape[i]).Any())
            throw new ArgumentException($"Dropout: noise shape {ShapeUtil.Format(noiseShape)} does not fit input {ShapeUtil.Format(x.Shape)}: each axis must be the input's or 1.");
        var draws = new float[ShapeUtil.Size(noiseShape)];
        float scale = (float)(1 / (1 - rate));
        for (int i = 0; i < draws.Length; i++) draws[i] = random.NextDouble() >= rate ? scale : 0f;
        var keep = ShapeUtil.Equal(noiseShape, x.Shape) ? draws : Broadcast(draws, noiseShape, x.Shape);
        var mask = Own(Backend.Upload(keep, x.Shape));
        var y = Backend.Allocate(x.Shape);
        Backend.Multiply(x.Value, mask, y);
        return Record(y, [x], "dropout", node => () => Backend.MultiplyAccumulate(node.Grad!, mask, GradOf(x))).WithMaskOf(x);
    }

    /// <summary>Row-major <paramref name="values"/> of <paramref name="from"/> repeated along its axes of extent 1 to <paramref name="to"/>.</summary>
    private static float[] Broadcast(float[] values, int[] from, int[] to)
    {
        var result = new float[ShapeUtil.Size(to)];
        var index = new int[to.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int source = 0;
            for (int d = 0; d < to.Length; d++) source = source * from[d] + (from[d] == 1 ? 0 : index[d]);
            result[i] = values[source];
            for (int d = to.Length - 1; d >= 0 && ++index[d] == to[d]; d--) index[d] = 0;
        }
        return result;
    }

    /// <summary>
    /// y = x with the timesteps whose entry in <paramref name="mask"/> <c>[B, T]</c> is 0 zeroed; y carries the mask.
    /// </summary>
    internal Node MaskTimesteps(Node x, DeviceTensor mask)
    {
        int rows = mask.Length, features = x.Value.Length / Math.Max(1, rows);
        var ones = NewTensor([1, features]);
        Backend.Fill(ones, 1);
        // The mask broadcast over the features, as a product of rank one.
        var keep = NewTensor(x.Shape);
        Backend.Gemm(Backend.View(mask, [rows, 1]), false, ones, false, Backend.View(keep, [rows, features]));
        var y = Backend.Allocate(x.Shape);
        Backend.Multiply(x.Value, keep, y);
        var node = Record(y, [x], "mask", n => () => Backend.MultiplyAccumulate(n.Grad!, keep, GradOf(x)));
        node.Mask = mask;
        return node;
    }

    private Node Binary(Node a, Node b, string op, Action<DeviceTensor, DeviceTensor, DeviceTensor> forward, Action<DeviceTensor, Node> backward)
    {
        // Equal shapes, not only equal sizes: a transposed operand of the same size is a bug, not a broadcast.
        if (!ShapeUtil.Equal(a.Shape, b.Shape))
            throw new ArgumentException($"{op}: shapes {ShapeUtil.Format(a.Shape)} and {ShapeUtil.Format(b.Shape)} differ.");
        var y = Backend.Allocate(a.Shape);
        forward(a.Value, b.Value, y);
        return Record(y, [a, b], op, node => () => backward(node.Grad!, node));
    }
}

internal static class NodeMaskExtensions
{
    /// <summary>Carries a sequence's timestep mask through a shape-preserving op.</summary>
    public static Node WithMaskOf(this Node node, Node source)
    {
        if (source.Mask is not null && node.Mask is null && node.Shape.Length >= 2 && source.Shape.Length >= 2 && node.Shape[1] == source.Shape[1])
            node.Mask = source.Mask;
        return node;
    }
}
