namespace RnnGpu.Backends;

/// <summary>
/// A tensor owned by a backend (host arrays on the CPU, device memory on a GPU). Row-major; rank-N tensors
/// are seen by matrix operations as <c>[product of leading dims, last dim]</c>.
/// Disposing returns the memory to the backend's pool.
/// </summary>
public abstract class DeviceTensor : IDisposable
{
    /// <summary>Creates the common part of a backend tensor.</summary>
    protected DeviceTensor(IBackend backend, int[] shape, DType type)
    {
        Backend = backend;
        Shape = shape;
        Type = type;
        Length = ShapeUtil.Size(shape);
    }

    /// <summary>The backend that owns the memory.</summary>
    public IBackend Backend { get; }

    /// <summary>The extent of each dimension. Reshaping makes a view (<see cref="IBackend.View"/>), never a copy.</summary>
    public int[] Shape { get; }

    /// <summary>Element type.</summary>
    public DType Type { get; }

    /// <summary>Number of elements.</summary>
    public int Length { get; }

    /// <summary>Rows of the matrix view.</summary>
    public int Rows => ShapeUtil.Rows(Shape);

    /// <summary>Columns of the matrix view (the last dimension).</summary>
    public int Columns => ShapeUtil.Columns(Shape);

    /// <summary>True once disposed; using it afterwards is a bug.</summary>
    public bool IsDisposed { get; private set; }

    /// <inheritdoc />
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>A host copy of the values (float32), in this tensor's shape.</summary>
    public Tensor ToHost()
    {
        var data = new float[Length];
        Backend.Download(this, data);
        return new Tensor(data, Shape);
    }

    /// <summary>Returns the storage to the owning backend (views release nothing).</summary>
    protected abstract void Release();

    /// <inheritdoc />
    public override string ToString() => $"{Backend.Name} {Type} {ShapeUtil.Format(Shape)}";
}
