namespace RnnGpu.Cuda.Interop;

/// <summary>The native libraries the CUDA backend binds.</summary>
internal enum CudaLibraryKind
{
    /// <summary>The driver API, libcuda.so.1 (installed with the NVIDIA driver).</summary>
    Driver,
    /// <summary>cuBLAS (libcublas with its libcublasLt).</summary>
    Cublas,
    /// <summary>The runtime compiler, libnvrtc.</summary>
    Nvrtc,
}
