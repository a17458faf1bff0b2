using RnnGpu.Backends;

namespace RnnGpu.Cuda;

public sealed partial class CudaBackend
{
    /// <inheritdoc />
    public void SgdUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor? velocity, double learningRate, double momentum, bool nesterov)
    {
        var p = F(parameter); var g = F(gradient);
        ulong v = 0;
        if (velocity is not null) { v = F(velocity).Pointer; SameLength(p, velocity); }
        SameLength(p, g);
        var args = new KernelArguments(stackalloc ulong[7]);
        args.Pointer(p.Pointer); args.Pointer(g.Pointer); args.Pointer(v);
        args.Float((float)learningRate); args.Float((float)momentum); args.Int(nesterov ? 1 : 0); args.Long(p.Length);
        Launch("optim", "sgd_update_f32", p.Length, args);
    }

    /// <inheritdoc />
    public void RmsPropUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor meanSquare, double learningRate, double rho, double epsilon)
    {
        var p = F(parameter); var g = F(gradient); var a = F(meanSquare);
        SameLength(p, g); SameLength(p, a);
        var args = new KernelArguments(stackalloc ulong[7]);
        args.Pointer(p.Pointer); args.Pointer(g.Pointer); args.Pointer(a.Pointer);
        args.Float((float)learningRate); args.Float((float)rho); args.Float((float)epsilon); args.Long(p.Length);
        Launch("optim", "rmsprop_update_f32", p.Length, args);
    }

    /// <inheritdoc />
    public void AdamUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor m, DeviceTensor v, double learningRate, double beta1, double beta2, double epsilon, long step)
    {
        var p = F(parameter); var g = F(gradient); var ms = F(m); var vs = F(v);
        SameLength(p, g); SameLength(p, ms); SameLength(p, vs);
        // The bias corrections in double on the host, folded into one step size as Keras does.
        double stepSize = learningRate * Math.Sqrt(1 - Math.Pow(beta2, step)) / (1 - Math.Pow(beta1, step));
        var args = new KernelArguments(stackalloc ulong[9]);
        args.Pointer(p.Pointer); args.Pointer(g.Pointer); args.Pointer(ms.Pointer); args.Pointer(vs.Pointer);
        args.Float((float)stepSize); args.Float((float)beta1); args.Float((float)beta2); args.Float((float)epsilon); args.Long(p.Length);
        Launch("optim", "adam_update_f32", p.Length, args);
    }
}
