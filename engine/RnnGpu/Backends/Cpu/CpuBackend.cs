using System.Numerics;
using System.Numerics.Tensors;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Backends;

/// <summary>
/// The reference backend: every operation of <see cref="IBackend"/> written once, generic over the element type
/// (<see cref="float"/> for training, <see cref="double"/> for gradient checks). Elementwise work is vectorised
/// through <see cref="TensorPrimitives"/>; GEMMs are blocked and multithreaded; a recurrent layer's time loop is
/// shared among threads by blocks of batch rows (<see cref="RecurrentBatchSplit"/>) or, for small batches, by blocks
/// of hidden units (<see cref="RecurrentUnitSplit"/>).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed unsafe partial class CpuBackend<T> : IBackend where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CpuMemoryPool<T> _pool = new();
    private readonly CpuMemoryPool<int> _indexPool = new();

    /// <summary>Creates a CPU backend.</summary>
    /// <param name="threads">Threads for GEMMs and large loops; 0 means all cores.</param>
    public CpuBackend(int threads = 0)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            throw new NotSupportedException($"CpuBackend supports float and double, not {typeof(T).Name}.");
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
    }

    /// <summary>Threads used by GEMMs and parallel loops.</summary>
    public int Threads { get; }

    /// <inheritdoc />
    public string Name => $"CPU ({(typeof(T) == typeof(float) ? "float32" : "float64")}, {Threads} thread{(Threads == 1 ? "" : "s")})";

    /// <inheritdoc />
    public DType FloatType => typeof(T) == typeof(float) ? DType.Float32 : DType.Float64;

    // ------------------------------------------------------------------ memory

    /// <inheritdoc />
    public DeviceTensor Allocate(params int[] shape) => NewFloat((int[])shape.Clone());

    /// <inheritdoc />
    public DeviceTensor Upload(ReadOnlySpan<float> data, int[] shape)
    {
        var t = NewFloat((int[])shape.Clone());
        CheckLength(data.Length, t);
        if (typeof(T) == typeof(float)) data.CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(t.Span));
        else { var dst = t.Span; for (int i = 0; i < data.Length; i++) dst[i] = T.CreateChecked(data[i]); }
        return t;
    }

    /// <inheritdoc />
    public DeviceTensor Upload(ReadOnlySpan<double> data, int[] shape)
    {
        var t = NewFloat((int[])shape.Clone());
        CheckLength(data.Length, t);
        var dst = t.Span;
        for (int i = 0; i < data.Length; i++) dst[i] = T.CreateChecked(data[i]);
        return t;
    }

    /// <inheritdoc />
    public DeviceTensor UploadIndices(ReadOnlySpan<int> data, int[] shape)
    {
        var t = new CpuTensor<int>(this, (int[])shape.Clone(), DType.Int32, _indexPool.Rent(ShapeUtil.Size(shape)), _indexPool);
        CheckLength(data.Length, t);
        data.CopyTo(t.Span);
        return t;
    }

    /// <inheritdoc />
    public void Download(DeviceTensor source, Span<float> destination)
    {
        var s = F(source).Span;
        CheckLength(destination.Length, source);
        for (int i = 0; i < s.Length; i++) destination[i] = float.CreateTruncating(s[i]);
    }

    /// <inheritdoc />
    public void Download(DeviceTensor source, Span<double> destination)
    {
        var s = F(source).Span;
        CheckLength(destination.Length, source);
        for (int i = 0; i < s.Length; i++) destination[i] = double.CreateTruncating(s[i]);
    }

    /// <inheritdoc />
    public DeviceTensor View(DeviceTensor source, int[] shape)
    {
        shape = ShapeUtil.Resolve(shape, source.Length);
        return source switch
        {
            CpuTensor<T> f => new CpuTensor<T>(this, shape, f.Type, f.Array, pool: null, f.Offset),
            CpuTensor<int> i => new CpuTensor<int>(this, shape, i.Type, i.Array, pool: null, i.Offset),
            _ => throw Foreign(source),
        };
    }

    /// <inheritdoc />
    public void Copy(DeviceTensor source, DeviceTensor destination)
    {
        SameLength(source, destination);
        F(source).Span.CopyTo(F(destination).Span);
    }

    /// <inheritdoc />
    public void Fill(DeviceTensor tensor, double value) => F(tensor).Span.Fill(T.CreateChecked(value));

    /// <inheritdoc />
    public void Synchronize() { }

    // ------------------------------------------------------------------ linear algebra

    /// <inheritdoc />
    public void Gemm(DeviceTensor a, bool transposeA, DeviceTensor b, bool transposeB, DeviceTensor c, double alpha = 1, double beta = 0)
    {
        int m = transposeA ? a.Columns : a.Rows, k = transposeA ? a.Rows : a.Columns;
        int kb = transposeB ? b.Columns : b.Rows, n = transposeB ? b.Rows : b.Columns;
        if (k != kb || c.Rows != m || c.Columns != n)
            throw new ArgumentException($"Gemm shapes do not agree: op(A) is {m}×{k}, op(B) is {kb}×{n}, C is {c.Rows}×{c.Columns}.");
        CpuGemm.Gemm(transposeA, transposeB, m, n, k, T.CreateChecked(alpha), F(a).Pointer, a.Columns, F(b).Pointer, b.Columns,
            T.CreateChecked(beta), F(c).Pointer, n, Threads);
    }

    /// <summary>GEMM on raw row-major blocks (strided slices of larger tensors), for the fused kernels.</summary>
    internal void Gemm(bool transA, bool transB, int m, int n, int k, T alpha, T* a, int lda, T* b, int ldb, T beta, T* c, int ldc)
        => CpuGemm.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, Threads);

    /// <inheritdoc />
    public void Axpy(double alpha, DeviceTensor x, DeviceTensor y)
    {
        SameLength(x, y);
        var ys = F(y).Span;
        TensorPrimitives.MultiplyAdd(F(x).Span, T.CreateChecked(alpha), ys, ys);
    }

    /// <inheritdoc />
    public void Scale(DeviceTensor x, double alpha)
    {
        var s = F(x).Span;
        TensorPrimitives.Multiply(s, T.CreateChecked(alpha), s);
    }

    // ------------------------------------------------------------------ elementwise

    /// <inheritdoc />
    public void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y) { SameLength(a, b, y); TensorPrimitives.Add(F(a).Span, F(b).Span, F(y).Span); }

    /// <inheritdoc />
    public void Subtract(DeviceTensor a, DeviceTensor b, DeviceTensor y) { SameLength(a, b, y); TensorPrimitives.Subtract(F(a).Span, F(b).Span, F(y).Span); }

    /// <inheritdoc />
    public void Multiply(DeviceTensor a, DeviceTensor b, DeviceTensor y) { SameLength(a, b, y); TensorPrimitives.Multiply(F(a).Span, F(b).Span, F(y).Span); }

    /// <inheritdoc />
    public void MultiplyAccumulate(DeviceTensor a, DeviceTensor b, DeviceTensor y)
    {
        SameLength(a, b, y);
        var ys = F(y).Span;
        TensorPrimitives.MultiplyAdd(F(a).Span, F(b).Span, ys, ys);
    }

    /// <inheritdoc />
    public void AddRowVector(DeviceTensor x, DeviceTensor v, DeviceTensor y)
    {
        SameLength(x, y);
        if (v.Length != x.Columns) throw new ArgumentException($"Row vector has {v.Length} elements, matrix has {x.Columns} columns.");
        var xs = F(x).Span; var ys = F(y).Span; var vs = F(v).Span;
        int n = x.Columns;
        for (int r = 0; r < x.Rows; r++) TensorPrimitives.Add(xs.Slice(r * n, n), vs, ys.Slice(r * n, n));
    }

    /// <inheritdoc />
    public void SumRowsAccumulate(DeviceTensor x, DeviceTensor y)
    {
        if (y.Length != x.Columns) throw new ArgumentException($"Column-sum target has {y.Length} elements, matrix has {x.Columns} columns.");
        var xs = F(x).Span; var ys = F(y).Span;
        int n = x.Columns;
        for (int r = 0; r < x.Rows; r++) TensorPrimitives.Add(ys, xs.Slice(r * n, n), ys);
    }

    /// <inheritdoc />
    public void Activation(ActivationKind kind, DeviceTensor x, DeviceTensor y)
    {
        SameLength(x, y);
        var xs = F(x).Span; var ys = F(y).Span;
        if (kind != ActivationKind.Softmax)
        {
            CpuCellKernels<T>.Activate(kind, xs, ys);
            return;
        }
        int n = x.Columns;
        for (int r = 0; r < x.Rows; r++) TensorPrimitives.SoftMax(xs.Slice(r * n, n), ys.Slice(r * n, n));
    }

    /// <inheritdoc />
    public void ActivationBackward(ActivationKind kind, DeviceTensor y, DeviceTensor dy, DeviceTensor dx)
    {
        SameLength(y, dy, dx);
        var ys = F(y).Span; var dys = F(dy).Span; var dxs = F(dx).Span;
        if (kind == ActivationKind.Softmax)
        {
            int n = y.Columns;
            for (int r = 0; r < y.Rows; r++)
            {
                var yr = ys.Slice(r * n, n); var dyr = dys.Slice(r * n, n); var dxr = dxs.Slice(r * n, n);
                T dot = TensorPrimitives.Dot(yr, dyr);
                for (int j = 0; j < n; j++) dxr[j] += yr[j] * (dyr[j] - dot);
            }
            return;
        }
        using var derivative = NewFloat(y.Shape, zeroed: false);
        CpuCellKernels<T>.DerivativeFromOutput(kind, ys, derivative.Span);
        TensorPrimitives.MultiplyAdd(dys, derivative.Span, dxs, dxs);
    }

    /// <inheritdoc />
    public void CopyColumns(DeviceTensor source, int sourceColumn, DeviceTensor destination, int destinationColumn, int count, bool accumulate)
    {
        if (source.Rows != destination.Rows) throw new ArgumentException($"Column copy between {source.Rows} and {destination.Rows} rows.");
        if (sourceColumn < 0 || sourceColumn + count > source.Columns || destinationColumn < 0 || destinationColumn + count > destination.Columns)
            throw new ArgumentOutOfRangeException(nameof(count), $"Column block [{sourceColumn}, +{count}) → [{destinationColumn}, +{count}) out of range ({source.Columns} → {destination.Columns} columns).");
        var s = F(source).Span; var d = F(destination).Span;
        int sn = source.Columns, dn = destination.Columns;
        for (int r = 0; r < source.Rows; r++)
        {
            var src = s.Slice(r * sn + sourceColumn, count);
            var dst = d.Slice(r * dn + destinationColumn, count);
            if (accumulate) TensorPrimitives.Add(dst, src, dst); else src.CopyTo(dst);
        }
    }

    /// <inheritdoc />
    public void CopyTimestep(DeviceTensor sequence, int t, DeviceTensor step, bool toSequence, bool accumulate)
    {
        if (sequence.Shape.Length != 3) throw new ArgumentException($"Timestep copy needs a [B, T, F] sequence, got {ShapeUtil.Format(sequence.Shape)}.");
        int b = sequence.Shape[0], steps = sequence.Shape[1], f = sequence.Shape[2];
        if (step.Length != b * f) throw new ArgumentException($"Timestep tensor {ShapeUtil.Format(step.Shape)} does not match [{b}, {f}].");
        if ((uint)t >= (uint)steps) throw new ArgumentOutOfRangeException(nameof(t), $"Timestep {t} of a {steps}-step sequence.");
        var seq = F(sequence).Span; var st = F(step).Span;
        for (int i = 0; i < b; i++)
        {
            var a = seq.Slice((i * steps + t) * f, f);
            var s = st.Slice(i * f, f);
            Span<T> src = toSequence ? s : a, dst = toSequence ? a : s;
            if (accumulate) TensorPrimitives.Add(dst, src, dst); else src.CopyTo(dst);
        }
    }

    // ------------------------------------------------------------------ reductions

    /// <inheritdoc />
    public double Sum(DeviceTensor x) => BlockedSum(F(x).Span, squares: false);

    /// <inheritdoc />
    public double SumOfSquares(DeviceTensor x) => BlockedSum(F(x).Span, squares: true);

    /// <summary>Elements per block of <see cref="BlockedSum"/>.</summary>
    private const int ReductionBlock = 4096;

    /// <summary>
    /// Σ x (or Σ x²) with each block of <see cref="ReductionBlock"/> elements summed in T by vectors and the blocks added
    /// in double, as the GPU does: a float sum over a million gradients otherwise drifts by about 1e-5 relative.
    /// </summary>
    private static double BlockedSum(ReadOnlySpan<T> values, bool squares)
    {
        double sum = 0;
        for (int i = 0; i < values.Length; i += ReductionBlock)
        {
            var block = values.Slice(i, Math.Min(ReductionBlock, values.Length - i));
            sum += double.CreateChecked(squares ? TensorPrimitives.SumOfSquares(block) : TensorPrimitives.Sum(block));
        }
        return sum;
    }

    /// <inheritdoc />
    public void Clip(DeviceTensor x, double min, double max)
    {
        var s = F(x).Span;
        TensorPrimitives.Clamp(s, T.CreateChecked(min), T.CreateChecked(max), s);
    }

    // ------------------------------------------------------------------ embeddings and masks

    /// <inheritdoc />
    public void Gather(DeviceTensor table, DeviceTensor indices, DeviceTensor y)
    {
        int d = table.Columns;
        var idx = I(indices).Span; var tab = F(table).Span; var ys = F(y).Span;
        if (ys.Length != idx.Length * d) throw new ArgumentException($"Gather output {ShapeUtil.Format(y.Shape)} does not hold {idx.Length} rows of {d}.");
        for (int n = 0; n < idx.Length; n++) tab.Slice(idx[n] * d, d).CopyTo(ys.Slice(n * d, d));
    }

    /// <inheritdoc />
    public void ScatterAdd(DeviceTensor dy, DeviceTensor indices, DeviceTensor dTable)
    {
        int d = dTable.Columns;
        var idx = I(indices).Span; var tab = F(dTable).Span; var dys = F(dy).Span;
        for (int n = 0; n < idx.Length; n++)
        {
            var row = tab.Slice(idx[n] * d, d);
            TensorPrimitives.Add(row, dys.Slice(n * d, d), row);
        }
    }

    /// <inheritdoc />
    public void TimestepMask(DeviceTensor x, double maskValue, DeviceTensor mask)
    {
        int rows = mask.Length;
        if (rows == 0) return;
        int f = x.Length / rows;
        var xs = F(x).Span; var ms = F(mask).Span;
        // Compared as float, as the float backends do: in double, 0.1 would never match data that came in as 0.1f.
        T v = T.CreateChecked((float)maskValue);
        for (int r = 0; r < rows; r++)
        {
            bool any = false;
            foreach (var e in xs.Slice(r * f, f)) if (e != v) { any = true; break; }
            ms[r] = any ? T.One : T.Zero;
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>A pooled float tensor; pass <paramref name="zeroed"/> false only when every element is written before it is read.</summary>
    internal CpuTensor<T> NewFloat(int[] shape, bool zeroed = true)
    {
        var (array, offset) = _pool.RentAligned(ShapeUtil.Size(shape), zeroed);
        return new(this, shape, FloatType, array, _pool, offset);
    }

    internal CpuTensor<T> F(DeviceTensor t)
    {
        if (t is CpuTensor<T> c && ReferenceEquals(c.Backend, this)) return c;
        if (t is CpuTensor<T>) return (CpuTensor<T>)t; // another CPU backend of the same type: memory is shared
        throw Foreign(t);
    }

    private static CpuTensor<int> I(DeviceTensor t) =>
        t as CpuTensor<int> ?? throw new ArgumentException($"Expected an Int32 index tensor, got {t}.");

    private InvalidOperationException Foreign(DeviceTensor t) =>
        new($"Tensor {t} does not belong to {Name}; move data between backends through host memory.");

    private static void CheckLength(int length, DeviceTensor t)
    {
        if (length != t.Length) throw new ArgumentException($"Host buffer has {length} elements, tensor {ShapeUtil.Format(t.Shape)} has {t.Length}.");
    }

    private static void SameLength(DeviceTensor a, DeviceTensor b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Tensors {ShapeUtil.Format(a.Shape)} and {ShapeUtil.Format(b.Shape)} differ in length.");
    }

    private static void SameLength(DeviceTensor a, DeviceTensor b, DeviceTensor c) { SameLength(a, b); SameLength(a, c); }

    /// <inheritdoc />
    public void Dispose()
    {
        _pool.Clear();
        _indexPool.Clear();
    }
}
