using RnnGpu.Graphs;
using RnnGpu.Layers;

namespace RnnGpu.Examples.MnistCustomCell;

/// <summary>
/// An LSTM cell as a user writes one: four gates from one input kernel and one recurrent kernel (Keras layout
/// i, f, c, o), sigmoid and tanh activations, and a forget-gate bias that starts at one so the cell remembers by
/// default early in training. <see cref="Rnn"/> runs it over the timesteps; the graph differentiates every op.
/// </summary>
public sealed class UserLstmCell(int units) : RecurrentCell
{
    private Weight _kernel = null!, _recurrentKernel = null!, _bias = null!;

    /// <inheritdoc />
    public override int Units => units;

    /// <summary>Two states: the hidden output h and the cell memory c.</summary>
    public override int StateCount => 2;

    /// <inheritdoc />
    protected override void Build(int inputDim)
    {
        _kernel = AddWeight("kernel", [inputDim, 4 * units], Initializer.GlorotUniform);
        _recurrentKernel = AddWeight("recurrent_kernel", [units, 4 * units], Initializer.Orthogonal);
        _bias = AddWeight("bias", [4 * units], Initializer.FromFunction(UnitForgetBias));
    }

    /// <inheritdoc />
    protected override (Node Output, Node[] States) Step(Graph graph, Node input, Node[] states)
    {
        Node h = states[0], c = states[1];
        var gates = graph.AddBias(
            graph.Add(graph.MatMul(input, Use(graph, _kernel)), graph.MatMul(h, Use(graph, _recurrentKernel))),
            Use(graph, _bias));
        var inputGate = graph.Sigmoid(graph.Slice(gates, 0, units));
        var forgetGate = graph.Sigmoid(graph.Slice(gates, units, units));
        var candidate = graph.Tanh(graph.Slice(gates, 2 * units, units));
        var outputGate = graph.Sigmoid(graph.Slice(gates, 3 * units, units));
        var newC = graph.Add(graph.Multiply(forgetGate, c), graph.Multiply(inputGate, candidate));
        var newH = graph.Multiply(outputGate, graph.Tanh(newC));
        return (newH, [newH, newC]);
    }

    /// <summary>Zeros except ones for the forget gate's slice.</summary>
    private Tensor UnitForgetBias(int[] shape)
    {
        var bias = new Tensor(shape);
        bias.Data.AsSpan(units, units).Fill(1f);
        return bias;
    }
}
