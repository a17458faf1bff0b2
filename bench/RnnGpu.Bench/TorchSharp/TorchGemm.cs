using RnnGpu.Bench.Gemm;
using static TorchSharp.torch;

namespace RnnGpu.Bench.TorchSharpBaseline;

// Inside the namespace so it wins over RnnGpu.Tensor of the enclosing namespace.
using Tensor = TorchSharp.torch.Tensor;

/// <summary>
/// One <see cref="GemmShape"/> through libtorch (float32, CPU): <c>C.addmm_(op(A), op(B), beta: 0)</c> into a C
/// allocated once, with the transposed operands passed as transposed views the way <c>nn.LSTM</c>'s own products are,
/// so MKL (or oneDNN) sees the same strides our GEMM does.
/// </summary>
public sealed class TorchGemm : IDisposable
{
    private readonly Tensor _a, _b, _c, _opA, _opB;

    /// <summary>Allocates the operands (uniform ±0.5, fixed seed) and the product.</summary>
    public TorchGemm(GemmShape shape, int seed = 1)
    {
        manual_seed(seed);
        _a = (shape.TransA ? rand(shape.K, shape.M) : rand(shape.M, shape.K)) - 0.5;
        _b = (shape.TransB ? rand(shape.N, shape.K) : rand(shape.K, shape.N)) - 0.5;
        _opA = shape.TransA ? _a.t() : _a;
        _opB = shape.TransB ? _b.t() : _b;
        _c = zeros(shape.M, shape.N);
    }

    /// <summary>C = op(A)·op(B).</summary>
    public void Run() => _c.addmm_(_opA, _opB, beta: 0, alpha: 1);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in new[] { _opA, _opB, _a, _b, _c }) t.Dispose();
    }
}
