using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>RNN(cell)</c>: runs a user-written <see cref="RecurrentCell"/> over the timesteps of <c>[B, T, I]</c>, one
/// graph op at a time (the fused layers do the same math in a few kernels).
/// </summary>
public sealed class Rnn : Layer
{
    /// <summary>Wraps a cell.</summary>
    public Rnn(RecurrentCell cell, bool returnSequences = false, bool returnState = false, string? name = null, int?[]? inputShape = null, int? batchSize = null)
        : base(name, inputShape, batchSize)
    {
        Cell = cell ?? throw new ArgumentNullException(nameof(cell));
        ReturnSequences = returnSequences;
        ReturnState = returnState;
    }

    /// <summary>The cell.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Return every step's output.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Also return the final states.</summary>
    public bool ReturnState { get; }

    /// <inheritdoc />
    public override string TypeName => "RNN";

    /// <inheritdoc />
    protected override int[][] BuildCore(int[][] inputShapes)
    {
        var x = inputShapes[0];
        if (x.Length != 2 || x[1] < 1) throw ShapeError("[steps, features] with known features", x);
        Cell.Attach(this);
        Cell.BuildFor(x[1]);
        int[] output = ReturnSequences ? [x[0], Cell.Units] : [Cell.Units];
        return ReturnState ? [output, .. Enumerable.Repeat<int[]>([Cell.Units], Cell.StateCount)] : [output];
    }

    internal override Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var x = inputs[0];
        if (x.Shape.Length != 3 || x.Shape[2] != InputShape[1]) throw ShapeError($"[batch, steps, {InputShape[1]}]", x.Shape);
        if (x.Mask is not null) throw new NotSupportedException($"{Title}, with a custom cell, does not support masked input; use the fused SimpleRnn, Lstm or Gru layers with masking.");
        int b = x.Shape[0];
        var states = inputs.Length > 1
            ? inputs[1..]
            : Enumerable.Range(0, Cell.StateCount).Select(_ => graph.Constant(graph.NewTensor([b, Cell.Units]))).ToArray();
        var outputs = new List<Node>(x.Shape[1]);
        Node? last = null;
        for (int t = 0; t < x.Shape[1]; t++)
        {
            (last, states) = Cell.StepOnce(graph, graph.Timestep(x, t), states);
            if (ReturnSequences) outputs.Add(last);
        }
        last ??= states[0];
        var output = ReturnSequences ? graph.Stack(outputs) : last;
        return ReturnState ? [output, .. states] : [output];
    }
}
