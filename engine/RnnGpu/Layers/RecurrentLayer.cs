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
public abstract class RecurrentLayer : Layer
{
    private DeviceTensor[]? _carried;

    /// <summary>Creates the common part.</summary>
    protected RecurrentLayer(int units, bool returnSequences, bool returnState, bool stateful,
        Initializer? kernelInitializer, Initializer? recurrentInitializer, Initializer? biasInitializer,
        string? name, int?[]? inputShape, int? batchSize) : base(name, inputShape, batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(units, 1);
        Units = units;
        ReturnSequences = returnSequences;
        ReturnState = returnState;
        Stateful = stateful;
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
        if (inputShapes.Length != 1 && inputShapes.Length != 1 + StateCount)
            throw new ArgumentException($"{Title} takes a sequence and optionally {StateCount} initial state(s), got {inputShapes.Length} inputs.");
        for (int i = 1; i < inputShapes.Length; i++)
            if (!ShapeUtil.Equal(inputShapes[i], [Units])) throw new ArgumentException($"{Title} initial state {i - 1} must be [{Units}], got {ShapeUtil.Format(inputShapes[i])}.");
        int gh = Spec.Gates * Units;
        Kernel = AddWeight("kernel", [x[1], gh], KernelInitializer);
        RecurrentKernel = AddWeight("recurrent_kernel", [Units, gh], RecurrentInitializer);
        Bias = AddWeight("bias", BiasShape, EffectiveBiasInitializer);
        int[] output = ReturnSequences ? [x[0], Units] : [Units];
        if (!ReturnState) return [output];
        return StateCount == 2 ? [output, [Units], [Units]] : [output, [Units]];
    }

    internal override Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var x = inputs[0];
        if (x.Shape.Length != 3 || x.Shape[2] != Kernel.Shape[0]) throw ShapeError($"[batch, steps, {Kernel.Shape[0]}]", x.Shape);
        int b = x.Shape[0];
        bool carry = Stateful || context.CarryStates;
        if (Stateful && DeclaredBatchSize is int fixedBatch && fixedBatch != b)
            throw new ArgumentException($"{Title} is stateful with batch size {fixedBatch} but got a batch of {b}.");
        if (_carried is not null && _carried[0].Shape[0] != b)
        {
            if (Stateful) throw new ArgumentException($"{Title} is stateful and carries state for batch size {_carried[0].Shape[0]} but got a batch of {b}; call ResetStates() first.");
            ResetStates();
        }

        Node State(int i)
        {
            if (inputs.Length > 1) return inputs[1 + i];
            if (carry && _carried is not null)
            {
                // A snapshot: the carried buffer takes this pass's final state below, while backward still reads the initial one.
                var start = graph.NewTensor([b, Units]);
                graph.Backend.Copy(_carried[i], start);
                return graph.Constant(start);
            }
            return graph.Constant(graph.NewTensor([b, Units]));
        }

        var h0 = State(0);
        var c0 = StateCount == 2 ? State(1) : null;
        var outs = graph.Recurrent(Spec, x, h0, c0, graph.Parameter(Kernel.Parameter), graph.Parameter(RecurrentKernel.Parameter), graph.Parameter(Bias.Parameter));

        if (carry)
        {
            _carried ??= [.. Enumerable.Range(0, StateCount).Select(_ => graph.Backend.Allocate(b, Units))];
            graph.Backend.Copy(outs.FinalH.Value, _carried[0]);
            if (outs.FinalC is not null) graph.Backend.Copy(outs.FinalC.Value, _carried[1]);
        }

        var output = ReturnSequences ? outs.Sequence : outs.FinalH;
        if (!ReturnState) return [output];
        return outs.FinalC is null ? [output, outs.FinalH] : [output, outs.FinalH, outs.FinalC];
    }

    /// <summary>The states carried to the next batch or chunk (host copies), or null when none are carried.</summary>
    public Tensor[]? GetCarriedStates() => _carried?.Select(t =>
    {
        var data = new float[t.Length];
        t.Backend.Download(t, data);
        return new Tensor(data, t.Shape);
    }).ToArray();

    /// <inheritdoc />
    public override void ResetStates()
    {
        if (_carried is null) return;
        foreach (var t in _carried) t.Dispose();
        _carried = null;
    }

    internal override void Place(IBackend backend, Random random)
    {
        ResetStates();
        base.Place(backend, random);
    }
}
