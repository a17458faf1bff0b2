namespace RnnGpu.Cuda.Interop;

/// <summary>The <c>CUdevice_attribute</c> values the engine queries.</summary>
internal enum CudaDeviceAttribute
{
    /// <summary>CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK.</summary>
    MaxThreadsPerBlock = 1,
    /// <summary>CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT.</summary>
    MultiprocessorCount = 16,
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR.</summary>
    ComputeCapabilityMajor = 75,
    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR.</summary>
    ComputeCapabilityMinor = 76,
    /// <summary>CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH.</summary>
    CooperativeLaunch = 95,
}
