using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RnnGpu.Cuda.Interop;

/// <summary>Raw bindings to NVRTC (libnvrtc.so.13/.12/.11.2).</summary>
internal static unsafe partial class Nvrtc
{
    static Nvrtc() => NativeLibraries.EnsureResolver();

    private const string Lib = NativeLibraries.NvrtcName;

    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcVersion(out int major, out int minor);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetNumSupportedArchs(out int count);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetSupportedArchs(int* architectures);
    [LibraryImport(Lib)]
    internal static partial NvrtcResult nvrtcCreateProgram(out nint program, byte* source, byte* name, int headerCount, byte** headers, byte** includeNames);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcDestroyProgram(ref nint program);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcCompileProgram(nint program, int optionCount, byte** options);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetProgramLogSize(nint program, out nuint size);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetPTXSize(nint program, out nuint size);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetPTX(nint program, byte* ptx);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetCUBINSize(nint program, out nuint size);
    [LibraryImport(Lib)] internal static partial NvrtcResult nvrtcGetCUBIN(nint program, byte* cubin);
    [LibraryImport(Lib)] internal static partial byte* nvrtcGetErrorString(NvrtcResult result);

    /// <summary>NVRTC's name for a status, e.g. NVRTC_ERROR_COMPILATION.</summary>
    public static string ErrorName(NvrtcResult result)
    {
        var text = nvrtcGetErrorString(result);
        return text == null ? $"nvrtcResult {(int)result}" : Marshal.PtrToStringUTF8((nint)text) ?? result.ToString();
    }

    /// <summary>Throws a <see cref="CudaException"/> naming the status and the call when it is not success.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Check(NvrtcResult result, [CallerArgumentExpression(nameof(result))] string call = "")
    {
        if (result != NvrtcResult.Success) Throw(result, call);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(NvrtcResult result, string call) =>
        throw new CudaException(CudaDriver.CallName(call), ErrorName(result), (int)result);
}
