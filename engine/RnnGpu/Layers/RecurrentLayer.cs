using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Shared body of the fused recurrent layers (<see cref="SimpleRnn"/>, <see cref="Lstm"/>, <see cref="Gru"/>): Keras
/// options, weights, state carrying (stateful layers and truncated BPTT), and the call into the fused graph op.
/// Inputs: the sequence <c>[B, T, I]</c>, optionally followed by initial states (functional models).
/// Outputs: the last output <c>[B, H]</c> or, with <see cref="ReturnSequences"/>, all of them <c>[B, T, H]</c>;
/// with <see cref="ReturnState"/>, then the final states.
/// </summary>
public abstract class RecurrentLayer : Layer, IRecurrentLayer
{
    private readonly CarriedStates _carried = new();

    /// <summary>Creates the common part.</summary>
    protected RecurrentLayer(int units, bool returnSequences, bool returnState, bool stateful,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        string? name, int?[]? inputShape, int? batchSize, bool goBackwards, double dropout) : base(name, inputShape, batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "Input dropout must be in [0, 1).");
        Units = units;
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        Stateful = stateful;
        GoBackwards = goBackwards;
        Dropout = dropout;
        KernelInitializer = kernelInitializer ?? Initializer.GlorotUniform;
        RecurrentInitializer = recurrentInitializer ?? Initializer.Orthogonal;
        BiasInitializer = biasInitializer ?? Initializer.Zeros;
    }

    /// <summary>Hidden size.</summary>
    public int Units { get; }

    /// <summary>Return the output of every step instead of only the last.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Also return the final states.</summary>
    public bool ReturnState { get; }

    /// <summary>Carry the final state of each batch into the next one (batch size must stay fixed).</summary>
    public bool Stateful { get; }

    /// <summary>
    /// Read each sequence from its last step to its first (Keras <c>go_backwards</c>). As in Keras, the returned
    /// sequence is in that reading order (its first output is the last step's) and carries the input's mask unreversed.
    /// </summary>
    public bool GoBackwards { get; }

    /// <summary>
    /// Fraction of the input features dropped in training (Keras <c>dropout</c>): one draw per sequence, the same
    /// features dropped at every step, as Keras's cell does.
    /// </summary>
    public double Dropout { get; }

    internal override bool IsStateful => Stateful;

    /// <summary>A new, unbuilt layer of the same kind and options with another name and direction (for <see cref="Bidirectional"/>).</summary>
    internal abstract RecurrentLayer CopyAs(string name, bool goBackwards);

    /// <summary>Kernel initializer (default glorot_uniform).</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>Recurrent kernel initializer (default orthogonal).</summary>
    public Initializer RecurrentInitializer { get; }

    /// <summary>Bias initializer (default zeros).</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>The fused op's description.</summary>
    public abstract RecurrentSpec Spec { get; }

    /// <summary>Number of state tensors (2 for the LSTM).</summary>
    public int StateCount => Spec.HasCellState ? 2 : 1;

    /// <summary>The kernel <c>[I, G·H]</c>.</summary>
    public Weight Kernel { get; private set; } = null!;

    /// <summary>The recurrent kernel <c>[H, G·H]</c>.</summary>
    public Weight RecurrentKernel { get; private set; } = null!;

    /// <summary>The bias.</summary>
    public Weight Bias { get; private set; } = null!;

    /// <summary>Shape of the bias (two rows for a reset-after GRU).</summary>
    protected virtual int[] BiasShape => [Spec.Gates * Units];

    /// <summary>The bias initializer actually used (the LSTM adds its unit forget bias).</summary>
    protected virtual Initializer EffectiveBiasInitializer => BiasInitializer;

    /// <inheritdoc />
    protected override int[][] BuildCore(int[][] inputShapes)
    {
        var x = inputShapes[0];
        if (x.Length != 2 || x[1] < 1) throw ShapeError("[steps, features] with known features", x);
        RecurrentShapes.CheckInitialStates(Title, inputShapes, StateCount, Units);
        int gh = Spec.Gates * Units;
        Kernel = AddWeight("kernel", [x[1], gh], KernelInitializer);
        RecurrentKernel = AddWeight("recurrent_kernel", [Units, gh], RecurrentInitializer);
        Bias = AddWeight("bias", BiasShape, EffectiveBiasInitializer);
        return OutputShapesOf(inputShapes);
    }

    // A later call (a shared layer) may have another number of steps, and initial states of its own.
    private protected override void CheckLaterCall(int[][] inputShapes) =>
        RecurrentShapes.CheckLaterCall(Title, inputShapes, InputShape[1], StateCount, Units);

    private protected override int[][] OutputShapesOf(int[][] inputShapes) =>
        RecurrentShapes.Outputs(inputShapes[0][0], Units, ReturnSequences, ReturnState, StateCount);

    internal override Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var x = inputs[0];
        if (x.Shape.Length != 3 || x.Shape[2] != Kernel.Shape[0]) throw ShapeError($"[batch, steps, {Kernel.Shape[0]}]", x.Shape);
        var inputMask = x.Mask;
        if (GoBackwards) x = BackwardReading.Reverse(this, graph, x, context);
        if (context.Training && Dropout > 0) x = graph.Dropout(x, Dropout, context.Random, [x.Shape[0], 1, x.Shape[2]]);
        int b = x.Shape[0];
        bool carry = Stateful || context.CarryStates;
        if (Stateful && DeclaredBatchSize is int fixedBatch && fixedBatch != b)
            throw new ArgumentException($"{Title} is stateful with batch size {fixedBatch} but got a batch of {b}.");
        int call = context.CallIndex;
        if (_carried.BatchSize(call) is int carriedBatch && carriedBatch != b)
        {
            if (Stateful) throw new ArgumentException($"{Title} is stateful and carries state for batch size {carriedBatch} but got a batch of {b}; call ResetStates() first.");
            _carried.Clear(call);
        }

        Node State(int i)
        {
            if (inputs.Length > 1) return inputs[1 + i];
            if (carry && _carried.Any(call)) return _carried.Start(graph, call, i);
            return graph.Constant(graph.NewTensor([b, Units]));
        }

        // Rows that have not had a real step in this call, when the state did not start at zero (given, or a stateful
        // layer's from the previous batch): Keras's outputs are zeros there, not the state. A later truncated-BPTT chunk
        // of the same batch goes on with the rows its earlier chunks left unstarted.
        bool[]? unstarted = inputs.Length > 1 || (carry && _carried.Any(call) && !context.ContinuesSequence) ? Enumerable.Repeat(true, b).ToArray()
            : carry && context.ContinuesSequence ? _carried.UnstartedRows(call) : null;
        var h0 = State(0);
        var c0 = StateCount == 2 ? State(1) : null;
        var outs = graph.Recurrent(Spec, x, h0, c0, graph.Parameter(Kernel.Parameter), graph.Parameter(RecurrentKernel.Parameter), graph.Parameter(Bias.Parameter));
        if (carry) _carried.Keep(graph, call, outs.FinalC is null ? [outs.FinalH] : [outs.FinalH, outs.FinalC]);

        var output = ReturnSequences ? outs.Sequence : outs.FinalH;
        if (x.Mask is not { } mask) unstarted = null;
        else if (unstarted is not null) (output, unstarted) = ZeroOutputsBeforeFirstStep(graph, output, mask, unstarted);
        if (carry) _carried.KeepUnstartedRows(call, unstarted);
        if (GoBackwards && ReturnSequences) output.Mask = inputMask;
        if (!ReturnState) return [output];
        return outs.FinalC is null ? [output, outs.FinalH] : [output, outs.FinalH, outs.FinalC];
    }

    /// <summary>
    /// Keras's output for masked steps: a masked step repeats the previous <em>output</em>, and the output before the
    /// first real step is zero, even when the state starts elsewhere (an initial state given or carried). The fused
    /// op repeats the previous state, which is the same from a zero state; from another one, the steps of each row
    /// before its first real step (and the last output of a row with none) are zeroed here. The state is unchanged.
    /// Returns the output and the rows still without a real step after these steps (null when every row has had one).
    /// </summary>
    private static (Node Output, bool[]? Unstarted) ZeroOutputsBeforeFirstStep(Graph graph, Node output, DeviceTensor mask, bool[] unstarted)
    {
        int rows = mask.Shape[0], steps = mask.Shape[1];
        var real = new float[mask.Length];
        graph.Backend.Download(mask, real);
        // started[b, t]: row b has had a real step by step t (in this call, earlier chunks included).
        var started = new float[real.Length];
        for (int b = 0; b < rows; b++)
            for (int t = 0; t < steps; t++)
                started[b * steps + t] = real[b * steps + t] != 0 || (t > 0 ? started[b * steps + t - 1] != 0 : !unstarted[b]) ? 1 : 0;
        if (Array.TrueForAll(started, s => s != 0)) return (output, null);
        float[] startedByEnd = [.. Enumerable.Range(0, rows).Select(b => started[b * steps + steps - 1])];
        bool sequence = output.Shape.Length == 3;
        var zeroed = graph.MaskTimesteps(output, graph.Own(graph.Backend.Upload(sequence ? started : startedByEnd, sequence ? [rows, steps] : [rows])));
        zeroed.Mask = output.Mask;
        return (zeroed, Array.IndexOf(startedByEnd, 0f) >= 0 ? Array.ConvertAll(startedByEnd, s => s == 0) : null);
    }

    /// <summary>The states carried to the next batch or chunk (host copies), or null when none are carried.</summary>
    public Tensor[]? GetCarriedStates() => _carried.ToHost();

    /// <inheritdoc />
    public override void ResetStates() => _carried.Clear();

    internal override void Place(IBackend backend, Random random)
    {
        ResetStates();
        base.Place(backend, random);
    }
}
