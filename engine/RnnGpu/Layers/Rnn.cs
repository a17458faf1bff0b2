using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>RNN(cell)</c>: runs a user-written <see cref="RecurrentCell"/> over the timesteps of <c>[B, T, I]</c>, one
/// graph op at a time (the fused layers do the same math in a few kernels).
/// </summary>
public sealed class Rnn : Layer, IRecurrentLayer
{
    private readonly CarriedStates _carried = new();

    /// <summary>Wraps a cell.</summary>
    /// <param name="cell">The cell; it belongs to this layer.</param>
    /// <param name="returnSequences">Return every step's output.</param>
    /// <param name="returnState">Also return the final states (functional models).</param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, e.g. <c>[28, 28]</c>.</param>
    /// <param name="batchSize">Fixed batch size.</param>
    /// <param name="goBackwards">Read each sequence from its last step (Keras <c>go_backwards</c>); the returned sequence is in reading order.</param>
    public Rnn(RecurrentCell cell, bool returnSequences = false, bool returnState = false, string? name = null, int?[]? inputShape = null, int? batchSize = null,
        bool goBackwards = false)
        : base(name, inputShape, batchSize)
    {
        Cell = cell ?? throw new ArgumentNullException(nameof(cell));
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        GoBackwards = goBackwards;
    }

    /// <summary>The cell.</summary>
    public RecurrentCell Cell { get; }

    /// <summary>Return every step's output.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Also return the final states.</summary>
    public bool ReturnState { get; }

    /// <summary>Read each sequence from its last step to its first; the returned sequence is in that order, as in Keras.</summary>
    public bool GoBackwards { get; }

    int IRecurrentLayer.Units => Cell.Units;

    int IRecurrentLayer.StateCount => Cell.StateCount;

    bool IRecurrentLayer.Stateful => false;

    /// <inheritdoc />
    public override string TypeName => "RNN";

    /// <inheritdoc />
    protected override int[][] BuildCore(int[][] inputShapes)
    {
        var x = inputShapes[0];
        if (x.Length != 2 || x[1] < 1) throw ShapeError("[steps, features] with known features", x);
        RecurrentShapes.CheckInitialStates(Title, inputShapes, Cell.StateCount, Cell.Units);
        Cell.Attach(this);
        Cell.BuildFor(x[1]);
        return OutputShapesOf(inputShapes);
    }

    // A later call (a shared layer) may have another number of steps, and initial states of its own.
    private protected override void CheckLaterCall(int[][] inputShapes) =>
        RecurrentShapes.CheckLaterCall(Title, inputShapes, InputShape[1], Cell.StateCount, Cell.Units);

    private protected override int[][] OutputShapesOf(int[][] inputShapes) =>
        RecurrentShapes.Outputs(inputShapes[0][0], Cell.Units, ReturnSequences, ReturnState, Cell.StateCount);

    internal override Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var x = inputs[0];
        if (x.Shape.Length != 3 || x.Shape[2] != InputShape[1]) throw ShapeError($"[batch, steps, {InputShape[1]}]", x.Shape);
        if (x.Mask is not null) throw new NotSupportedException($"{Title}, with a custom cell, does not support masked input; use the fused SimpleRnn, Lstm or Gru layers with masking.");
        if (GoBackwards) x = BackwardReading.Reverse(this, graph, x, context);
        int b = x.Shape[0];
        // Under truncated BPTT the state goes on from the previous chunk, as in the fused layers.
        bool carry = context.CarryStates;
        int call = context.CallIndex;
        if (_carried.BatchSize(call) is int carriedBatch && carriedBatch != b) _carried.Clear(call);
        var states = inputs.Length > 1
            ? inputs[1..]
            : Enumerable.Range(0, Cell.StateCount)
                .Select(i => carry && _carried.Any(call) ? _carried.Start(graph, call, i) : graph.Constant(graph.NewTensor([b, Cell.Units]))).ToArray();
        var outputs = new List<Node>(x.Shape[1]);
        Node? last = null;
        for (int t = 0; t < x.Shape[1]; t++)
        {
            (last, states) = Cell.StepOnce(graph, graph.Timestep(x, t), states);
            if (t == 0) CheckStep(last, states, b);
            if (ReturnSequences) outputs.Add(last);
        }
        last ??= states[0];
        if (carry) _carried.Keep(graph, call, states);
        var output = ReturnSequences ? graph.Stack(outputs) : last;
        return ReturnState ? [output, .. states] : [output];
    }

    /// <summary>
    /// Checks what the cell's step returned against what it declares (Units, StateCount), once per pass: a mismatch
    /// would otherwise surface later as another layer's shape error, or as a wrong shape in Summary.
    /// </summary>
    private void CheckStep(Node output, Node[] states, int batch)
    {
        string cell = Cell.GetType().Name;
        if (!ShapeUtil.Equal(output.Shape, [batch, Cell.Units]))
            throw new InvalidOperationException($"{Title}: cell {cell} declares {Cell.Units} units, but its step returned an output of shape {ShapeUtil.Format(output.Shape)} for a batch of {batch}, not ({batch}, {Cell.Units}).");
        if (states.Length != Cell.StateCount)
            throw new InvalidOperationException($"{Title}: cell {cell} declares {Cell.StateCount} state(s) (StateCount), but its step returned {states.Length}.");
        for (int i = 0; i < states.Length; i++)
            if (!ShapeUtil.Equal(states[i].Shape, [batch, Cell.Units]))
                throw new InvalidOperationException($"{Title}: cell {cell}'s step returned state {i} of shape {ShapeUtil.Format(states[i].Shape)}, not ({batch}, {Cell.Units}).");
    }

    /// <inheritdoc />
    public override void ResetStates() => _carried.Clear();

    internal override void Place(IBackend backend, Random random)
    {
        ResetStates();
        base.Place(backend, random);
    }
}
