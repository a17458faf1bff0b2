namespace RnnGpu.Cuda;

/// <summary>A CUDA driver, cuBLAS or NVRTC call failed.</summary>
public class CudaException : Exception
{
    /// <summary>Creates the exception for a failed native call.</summary>
    /// <param name="call">The native function that failed, e.g. <c>cuMemAlloc_v2</c>.</param>
    /// <param name="errorName">The library's name for the status, e.g. <c>CUDA_ERROR_OUT_OF_MEMORY</c>.</param>
    /// <param name="code">The raw status code.</param>
    /// <param name="detail">Optional extra explanation appended to the message.</param>
    public CudaException(string call, string errorName, int code, string? detail = null)
        : base($"{call} failed with {errorName} ({code}){(string.IsNullOrEmpty(detail) ? "" : ": " + detail)}")
    {
        Call = call;
        ErrorName = errorName;
        Code = code;
    }

    /// <summary>Creates an exception with a free-form message (library loading, compilation).</summary>
    public CudaException(string message) : base(message)
    {
        Call = "";
        ErrorName = "";
    }

    /// <summary>The native function that failed.</summary>
    public string Call { get; }

    /// <summary>The library's name for the failing status.</summary>
    public string ErrorName { get; }

    /// <summary>The raw status code.</summary>
    public int Code { get; }
}
