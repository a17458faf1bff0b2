namespace RnnGpu.Cuda;

/// <summary>A device allocation failed even after the allocator's cache was released.</summary>
public sealed class CudaOutOfMemoryException : CudaException
{
    /// <summary>Creates the exception with the request and the device's free/total memory.</summary>
    public CudaOutOfMemoryException(long requestedBytes, long freeBytes, long totalBytes)
        : base("cuMemAlloc_v2", "CUDA_ERROR_OUT_OF_MEMORY", 2,
               $"requested {requestedBytes:N0} bytes, the device has {freeBytes:N0} of {totalBytes:N0} bytes free (cuMemGetInfo) after releasing the allocator cache")
    {
        RequestedBytes = requestedBytes;
        FreeBytes = freeBytes;
    }

    /// <summary>Bytes the failed allocation asked for.</summary>
    public long RequestedBytes { get; }

    /// <summary>Free device memory reported when the allocation failed.</summary>
    public long FreeBytes { get; }
}
