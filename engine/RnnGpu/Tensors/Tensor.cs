namespace RnnGpu;

/// <summary>
/// A dense, row-major, float32 n-dimensional array in host memory: what users pass to
/// <c>Fit</c>/<c>Predict</c> and what <c>GetWeights</c> returns (the numpy array of a Keras program).
/// </summary>
public sealed class Tensor
{
    /// <summary>Creates a tensor over existing data (not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long size = ShapeUtil.Size(shape);
        if (size != data.Length)
            throw new ArgumentException($"Tensor data has {data.Length} elements but shape {ShapeUtil.Format(shape)} needs {size}.", nameof(data));
        Data = data;
        Shape = (int[])shape.Clone();
    }

    /// <summary>Creates a zero-filled tensor.</summary>
    public Tensor(params int[] shape) : this(new float[ShapeUtil.Size(shape)], shape) { }

    /// <summary>
    /// A tensor of integer indices (class labels, token ids), stored as floats as every tensor is: what Keras users
    /// pass as an int array. Exact up to 2²⁴.
    /// </summary>
    public static Tensor FromIndices(int[] indices, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(indices);
        int big = Array.FindIndex(indices, i => Math.Abs(i) > 1 << 24);
        if (big >= 0) throw new ArgumentOutOfRangeException(nameof(indices), indices[big], $"Index {big} is {indices[big]}; indices above 2^24 are not exact as floats.");
        return new Tensor(Array.ConvertAll(indices, i => (float)i), shape.Length == 0 ? [indices.Length] : shape);
    }

    /// <summary>The elements in row-major order.</summary>
    public float[] Data { get; }

    /// <summary>The extent of each dimension.</summary>
    public int[] Shape { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>Element access by full index.</summary>
    public float this[params int[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    /// <summary>Returns a tensor with the same data and a new shape; one dimension may be -1 (inferred).</summary>
    public Tensor Reshape(params int[] shape) => new(Data, ShapeUtil.Resolve(shape, Data.Length));

    /// <summary>Copies rows <paramref name="start"/>..start+count of the first dimension.</summary>
    public Tensor SliceRows(int start, int count)
    {
        int row = Rank == 0 ? 1 : Length / Math.Max(1, Shape[0]);
        var shape = (int[])Shape.Clone();
        shape[0] = count;
        var data = new float[count * row];
        Array.Copy(Data, (long)start * row, data, 0, data.Length);
        return new Tensor(data, shape);
    }

    /// <summary>Gathers rows of the first dimension in the given order.</summary>
    public Tensor TakeRows(ReadOnlySpan<int> rows)
    {
        int row = Length / Math.Max(1, Shape[0]);
        var shape = (int[])Shape.Clone();
        shape[0] = rows.Length;
        var data = new float[rows.Length * row];
        for (int i = 0; i < rows.Length; i++)
            Array.Copy(Data, (long)rows[i] * row, data, (long)i * row, row);
        return new Tensor(data, shape);
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), Shape);

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeUtil.Format(Shape)}";

    private int Offset(int[] index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"Index of rank {index.Length} used on a tensor of shape {ShapeUtil.Format(Shape)}.");
        int offset = 0;
        for (int d = 0; d < index.Length; d++)
        {
            if ((uint)index[d] >= (uint)Shape[d])
                throw new IndexOutOfRangeException($"Index {index[d]} out of range for dimension {d} of shape {ShapeUtil.Format(Shape)}.");
            offset = offset * Shape[d] + index[d];
        }
        return offset;
    }
}
