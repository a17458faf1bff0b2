using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGpu.Cuda.Interop;

/// <summary>
/// Raw bindings to the CUDA driver API (libcuda.so.1), bound by the exported symbol names (the <c>_v2</c> ones where the
/// header maps to them). Device pointers are <see cref="ulong"/> (<c>CUdeviceptr</c>); handles are <see cref="nint"/>.
/// </summary>
internal static unsafe partial class CudaDriver
{
    static CudaDriver() => NativeLibraries.EnsureResolver();

    private const string Lib = NativeLibraries.DriverName;

    [LibraryImport(Lib)] internal static partial CudaResult cuInit(uint flags);
    [LibraryImport(Lib)] internal static partial CudaResult cuDriverGetVersion(out int version);
    [LibraryImport(Lib)] internal static partial CudaResult cuGetErrorName(CudaResult error, out byte* name);
    [LibraryImport(Lib)] internal static partial CudaResult cuGetErrorString(CudaResult error, out byte* text);

    [LibraryImport(Lib)] internal static partial CudaResult cuDeviceGetCount(out int count);
    [LibraryImport(Lib)] internal static partial CudaResult cuDeviceGet(out int device, int ordinal);
    [LibraryImport(Lib)] internal static partial CudaResult cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(Lib)] internal static partial CudaResult cuDeviceGetAttribute(out int value, CudaDeviceAttribute attribute, int device);
    [LibraryImport(Lib)] internal static partial CudaResult cuDeviceTotalMem_v2(out nuint bytes, int device);

    [LibraryImport(Lib)] internal static partial CudaResult cuDevicePrimaryCtxRetain(out nint context, int device);
    [LibraryImport(Lib)] internal static partial CudaResult cuDevicePrimaryCtxRelease_v2(int device);
    [LibraryImport(Lib)] internal static partial CudaResult cuCtxSetCurrent(nint context);
    [LibraryImport(Lib)] internal static partial CudaResult cuCtxSynchronize();

    [LibraryImport(Lib)] internal static partial CudaResult cuModuleLoadData(out nint module, void* image);
    [LibraryImport(Lib)] internal static partial CudaResult cuModuleGetFunction(out nint function, nint module, byte* name);
    [LibraryImport(Lib)] internal static partial CudaResult cuModuleUnload(nint module);
    [LibraryImport(Lib)]
    internal static partial CudaResult cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
                                                      uint sharedBytes, nint stream, void** parameters, void** extra);
    // A grid whose blocks are all resident at once (CUDA 9 and later), for kernels with a grid-wide barrier.
    [LibraryImport(Lib)]
    internal static partial CudaResult cuLaunchCooperativeKernel(nint function, uint gridX, uint gridY, uint gridZ, uint blockX, uint blockY, uint blockZ,
                                                                 uint sharedBytes, nint stream, void** parameters);
    [LibraryImport(Lib)] internal static partial CudaResult cuOccupancyMaxActiveBlocksPerMultiprocessor(out int blocks, nint function, int blockSize, nuint dynamicSharedBytes);

    [LibraryImport(Lib)] internal static partial CudaResult cuMemAlloc_v2(out ulong pointer, nuint bytes);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemFree_v2(ulong pointer);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemGetInfo_v2(out nuint free, out nuint total);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemHostAlloc(out void* pointer, nuint bytes, uint flags);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemFreeHost(void* pointer);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemcpyHtoDAsync_v2(ulong destination, void* source, nuint bytes, nint stream);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemcpyDtoHAsync_v2(void* destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemcpyDtoDAsync_v2(ulong destination, ulong source, nuint bytes, nint stream);
    [LibraryImport(Lib)] internal static partial CudaResult cuMemsetD32Async(ulong destination, uint value, nuint count, nint stream);

    [LibraryImport(Lib)] internal static partial CudaResult cuStreamCreate(out nint stream, uint flags);
    [LibraryImport(Lib)] internal static partial CudaResult cuStreamSynchronize(nint stream);
    [LibraryImport(Lib)] internal static partial CudaResult cuStreamDestroy_v2(nint stream);
    // Stream capture into a graph (stable names in 12.x and 13.x); mode 1 = CU_STREAM_CAPTURE_MODE_THREAD_LOCAL.
    [LibraryImport(Lib)] internal static partial CudaResult cuStreamBeginCapture_v2(nint stream, int mode);
    [LibraryImport(Lib)] internal static partial CudaResult cuStreamEndCapture(nint stream, out nint graph);
    [LibraryImport(Lib)] internal static partial CudaResult cuGraphInstantiateWithFlags(out nint graphExec, nint graph, ulong flags);
    [LibraryImport(Lib)] internal static partial CudaResult cuGraphLaunch(nint graphExec, nint stream);
    [LibraryImport(Lib)] internal static partial CudaResult cuGraphExecDestroy(nint graphExec);
    [LibraryImport(Lib)] internal static partial CudaResult cuGraphDestroy(nint graph);
    [LibraryImport(Lib)] internal static partial CudaResult cuEventCreate(out nint @event, uint flags);
    [LibraryImport(Lib)] internal static partial CudaResult cuEventRecord(nint @event, nint stream);
    [LibraryImport(Lib)] internal static partial CudaResult cuEventSynchronize(nint @event);
    [LibraryImport(Lib)] internal static partial CudaResult cuEventDestroy_v2(nint @event);
    // cuEventElapsedTime left the CUDA 13 headers for cuEventElapsedTime_v2 (12.8+); callers try _v2 first and fall back.
    [LibraryImport(Lib)] internal static partial CudaResult cuEventElapsedTime_v2(out float milliseconds, nint start, nint end);
    [LibraryImport(Lib)] internal static partial CudaResult cuEventElapsedTime(out float milliseconds, nint start, nint end);

    /// <summary>The driver's name for a status, e.g. CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public static string ErrorName(CudaResult result)
    {
        try
        {
            if (cuGetErrorName(result, out var name) == CudaResult.Success && name != null)
                return Marshal.PtrToStringUTF8((nint)name) ?? result.ToString();
        }
        catch (DllNotFoundException) { }
        return $"CUresult {(int)result}";
    }

    /// <summary>Throws a <see cref="CudaException"/> naming the error and the call when <paramref name="result"/> is not success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(CudaResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != CudaResult.Success) Throw(result, call);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(CudaResult result, string call)
    {
        string text = "";
        try
        {
            if (cuGetErrorString(result, out var s) == CudaResult.Success && s != null) text = Marshal.PtrToStringUTF8((nint)s) ?? "";
        }
        catch (DllNotFoundException) { }
        throw new CudaException(CallName(call), ErrorName(result), (int)result, text);
    }

    /// <summary>The function name of a call expression: "cuMemAlloc_v2(out p, n)" becomes "cuMemAlloc_v2".</summary>
    internal static string CallName(string call)
    {
        int paren = call.IndexOf('(');
        var name = paren < 0 ? call : call[..paren];
        int dot = name.LastIndexOf('.');
        return dot < 0 ? name.Trim() : name[(dot + 1)..].Trim();
    }
}
