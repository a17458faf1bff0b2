using System.Runtime.InteropServices;
using System.Text;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Cuda;

/// <summary>A loaded CUBIN or PTX image (cuModuleLoadData / cuModuleUnload).</summary>
internal sealed unsafe class CudaModule : SafeHandle
{
    private readonly CudaPrimaryContext _context;

    private CudaModule(CudaPrimaryContext context) : base(0, ownsHandle: true) => _context = context;

    /// <inheritdoc />
    public override bool IsInvalid => handle == 0;

    /// <summary>Loads an image (a CUBIN, or NUL-terminated PTX) into the context.</summary>
    public static CudaModule Load(CudaPrimaryContext context, byte[] image)
    {
        var module = new CudaModule(context);
        context.MakeCurrent();
        nint raw;
        fixed (byte* p = image) CudaDriver.Check(CudaDriver.cuModuleLoadData(out raw, p));
        module.SetHandle(raw);
        return module;
    }

    /// <summary>The CUfunction of an <c>extern "C"</c> kernel.</summary>
    public nint Function(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes)
        {
            var rc = CudaDriver.cuModuleGetFunction(out var function, handle, p);
            if (rc != CudaResult.Success)
                throw new CudaException("cuModuleGetFunction", CudaDriver.ErrorName(rc), (int)rc, $"kernel '{name}'");
            return function;
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        if (_context.IsClosed) return false;
        _context.MakeCurrent();
        return CudaDriver.cuModuleUnload(handle) == CudaResult.Success;
    }
}
