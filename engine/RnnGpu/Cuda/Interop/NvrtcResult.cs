namespace RnnGpu.Cuda.Interop;

/// <summary>NVRTC <c>nvrtcResult</c>.</summary>
internal enum NvrtcResult
{
    /// <summary>NVRTC_SUCCESS.</summary>
    Success = 0,
    /// <summary>NVRTC_ERROR_OUT_OF_MEMORY.</summary>
    OutOfMemory = 1,
    /// <summary>NVRTC_ERROR_PROGRAM_CREATION_FAILURE.</summary>
    ProgramCreationFailure = 2,
    /// <summary>NVRTC_ERROR_INVALID_INPUT.</summary>
    InvalidInput = 3,
    /// <summary>NVRTC_ERROR_INVALID_PROGRAM.</summary>
    InvalidProgram = 4,
    /// <summary>NVRTC_ERROR_INVALID_OPTION.</summary>
    InvalidOption = 5,
    /// <summary>NVRTC_ERROR_COMPILATION.</summary>
    Compilation = 6,
}
