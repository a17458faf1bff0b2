using RnnGpu.Graphs;
using RnnGpu.Layers;

namespace RnnGpu.Tests.Layers;

/// <summary>An LSTM cell written the way a user writes one: from matmuls, slices and activations, Keras weight layout.</summary>
internal sealed class PrimitiveLstmCell(int units) : RecurrentCell
{
    private Weight _kernel = null!, _recurrent = null!, _bias = null!;

    public override int Units => units;

    public override int StateCount => 2;

    protected override void Build(int inputDim)
    {
        _kernel = AddWeight("kernel", [inputDim, 4 * units], Initializer.GlorotUniform);
        _recurrent = AddWeight("recurrent_kernel", [units, 4 * units], Initializer.Orthogonal);
        _bias = AddWeight("bias", [4 * units], Initializer.Zeros);
    }

    protected override (Node Output, Node[] States) Step(Graph g, Node x, Node[] states)
    {
        var z = g.AddBias(g.Add(g.MatMul(x, Use(g, _kernel)), g.MatMul(states[0], Use(g, _recurrent))), Use(g, _bias));
        var i = g.Sigmoid(g.Slice(z, 0, units));
        var f = g.Sigmoid(g.Slice(z, units, units));
        var candidate = g.Tanh(g.Slice(z, 2 * units, units));
        var o = g.Sigmoid(g.Slice(z, 3 * units, units));
        var c = g.Add(g.Multiply(f, states[1]), g.Multiply(i, candidate));
        var h = g.Multiply(o, g.Tanh(c));
        return (h, [h, c]);
    }
}
