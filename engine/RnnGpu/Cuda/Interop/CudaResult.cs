namespace RnnGpu.Cuda.Interop;

/// <summary>The driver API's <c>CUresult</c> codes this engine reacts to; any other value is reported by name via <c>cuGetErrorName</c>.</summary>
internal enum CudaResult
{
    /// <summary>CUDA_SUCCESS.</summary>
    Success = 0,
    /// <summary>CUDA_ERROR_INVALID_VALUE.</summary>
    InvalidValue = 1,
    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    OutOfMemory = 2,
    /// <summary>CUDA_ERROR_NOT_INITIALIZED.</summary>
    NotInitialized = 3,
    /// <summary>CUDA_ERROR_STUB_LIBRARY: the toolkit's link stub was loaded instead of the driver.</summary>
    StubLibrary = 34,
    /// <summary>CUDA_ERROR_NO_DEVICE.</summary>
    NoDevice = 100,
    /// <summary>CUDA_ERROR_INVALID_DEVICE.</summary>
    InvalidDevice = 101,
    /// <summary>CUDA_ERROR_INVALID_IMAGE.</summary>
    InvalidImage = 200,
    /// <summary>CUDA_ERROR_NO_BINARY_FOR_GPU.</summary>
    NoBinaryForGpu = 209,
    /// <summary>CUDA_ERROR_UNSUPPORTED_PTX_VERSION: PTX newer than the driver.</summary>
    UnsupportedPtxVersion = 222,
    /// <summary>CUDA_ERROR_NOT_FOUND.</summary>
    NotFound = 500,
    /// <summary>CUDA_ERROR_NOT_READY.</summary>
    NotReady = 600,
    /// <summary>CUDA_ERROR_LAUNCH_FAILED.</summary>
    LaunchFailed = 719,
}
