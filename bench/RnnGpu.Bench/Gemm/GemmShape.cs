using RnnGpu.Backends;
using RnnGpu.Bench.Configs;

namespace RnnGpu.Bench.Gemm;

/// <summary>
/// One matrix product of a recurrent layer's training step, row-major: C[M×N] = op(A)·op(B) with op(A) M×K and op(B)
/// K×N.
/// </summary>
/// <param name="Config">The configuration it comes from.</param>
/// <param name="Role">What the product computes in the step.</param>
/// <param name="TransA">A is stored K×M.</param>
/// <param name="TransB">B is stored N×K.</param>
/// <param name="M">Rows of C.</param>
/// <param name="N">Columns of C.</param>
/// <param name="K">Depth of the product.</param>
/// <param name="PerStep">
/// A per-timestep product whose B is the recurrent kernel, the same at every step: the engine packs it once per layer
/// call (<c>CpuPackedMatrix</c>) and reuses it, so the command also times that way.
/// </param>
public sealed record GemmShape(string Config, string Role, bool TransA, bool TransB, int M, int N, int K, bool PerStep = false)
{
    /// <summary>2·M·N·K.</summary>
    public double Flops => 2.0 * M * N * K;

    /// <summary>"NN", "TN", "NT" or "TT".</summary>
    public string Layout => $"{(TransA ? 'T' : 'N')}{(TransB ? 'T' : 'N')}";

    /// <summary>
    /// The five products of the first layer of <paramref name="config"/> (B batch rows, T steps, I inputs, H units, G
    /// gates), as the CPU backend issues them with the whole batch on one call: the input projection X·W
    /// [B·T × GH, depth I]; one step's recurrent product h·U [B × GH, depth H]; one step's state gradient dG·Uᵀ
    /// [B × H, depth GH]; and the weight gradients Xᵀ·dG [I × GH] and Hᵀ·dG [H × GH], both of depth B·T.
    /// </summary>
    public static IEnumerable<GemmShape> Of(BenchConfig config)
    {
        int b = config.Batch, t = config.Steps, i = config.Input, h = config.Units[0];
        int gh = new RecurrentSpec(config.Kind, h).Gates * h;
        yield return new GemmShape(config.Name, "input projection X·W", false, false, b * t, gh, i);
        yield return new GemmShape(config.Name, "step product h·U", false, false, b, gh, h, PerStep: true);
        yield return new GemmShape(config.Name, "step gradient dG·Uᵀ", false, true, b, h, gh, PerStep: true);
        yield return new GemmShape(config.Name, "input-kernel gradient Xᵀ·dG", true, false, i, gh, b * t);
        yield return new GemmShape(config.Name, "recurrent-kernel gradient Hᵀ·dG", true, false, h, gh, b * t);
    }
}
