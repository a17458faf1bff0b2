using RnnGpu.Backends;

namespace RnnGpu.Cuda;

/// <summary>A tensor in device memory: a block from the backend's caching allocator, or a view of another tensor's block.</summary>
internal sealed class CudaTensor : DeviceTensor
{
    private readonly CudaBackend _owner;
    private readonly long _blockBytes;

    /// <param name="owner">The backend whose pool the block returns to.</param>
    /// <param name="shape">Extents.</param>
    /// <param name="type">Element type (every type is 4 bytes wide).</param>
    /// <param name="pointer">Device address of the first element.</param>
    /// <param name="blockBytes">Size class of the owned block, 0 for a view.</param>
    public CudaTensor(CudaBackend owner, int[] shape, DType type, ulong pointer, long blockBytes) : base(owner, shape, type)
    {
        _owner = owner;
        Pointer = pointer;
        _blockBytes = blockBytes;
    }

    /// <summary>Device address of the first element.</summary>
    public ulong Pointer { get; }

    /// <summary>Size in bytes of the elements (4 bytes each).</summary>
    public long Bytes => (long)Length * sizeof(float);

    /// <inheritdoc />
    protected override void Release()
    {
        if (_blockBytes > 0) _owner.ReturnBlock(Pointer, _blockBytes);
    }
}
