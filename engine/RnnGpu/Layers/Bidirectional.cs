using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Keras <c>Bidirectional</c>: runs a recurrent layer over each sequence twice, once from its first step and once from
/// its last, and combines the two outputs (<see cref="MergeMode"/>). With <c>returnSequences</c>, the backward layer's
/// outputs are put back in time order first, so step t of the result sees the whole sequence before and after t.
/// </summary>
/// <remarks>
/// As in Keras, the wrapped fused layer is a template: the wrapper makes two new layers of its kind and options,
/// <c>forward_lstm</c> and <c>backward_lstm</c> (after the wrapped layer's name, or its kind's when it has none), and
/// their weights are saved as <c>bidirectional/forward_lstm/kernel</c> and so on. An <see cref="Rnn"/> over a custom
/// cell cannot be copied: pass the backward layer too, and the two are used as given.
/// Inputs: the sequence, optionally followed by initial states, the forward layer's then the backward layer's.
/// Outputs: the merged output (two outputs with <see cref="BidirectionalMergeMode.None"/>), then, with
/// <c>returnState</c>, the forward layer's final states and the backward layer's.
/// </remarks>
public sealed class Bidirectional : Layer
{
    /// <summary>Wraps a recurrent layer.</summary>
    /// <param name="layer">A <see cref="SimpleRnn"/>, <see cref="Lstm"/>, <see cref="Gru"/> or <see cref="Rnn"/>; its options (returnSequences, returnState, stateful) are the wrapper's.</param>
    /// <param name="mergeMode">How the two directions' outputs are combined (default: concatenated).</param>
    /// <param name="backwardLayer">
    /// The layer for the backward direction, when it should differ from a copy of <paramref name="layer"/> (needed for
    /// an <see cref="Rnn"/>): it must read the other way and agree on returnSequences, returnState and stateful.
    /// </param>
    /// <param name="name">Layer name.</param>
    /// <param name="inputShape">Input shape without batch, e.g. <c>[null, 16]</c>.</param>
    /// <param name="batchSize">Fixed batch size (stateful layers).</param>
    public Bidirectional(Layer layer, BidirectionalMergeMode mergeMode = BidirectionalMergeMode.Concat, Layer? backwardLayer = null,
        string? name = null, int?[]? inputShape = null, int? batchSize = null) : base(name, inputShape, batchSize)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (!Enum.IsDefined(mergeMode)) throw new ArgumentOutOfRangeException(nameof(mergeMode), mergeMode, "Unknown merge mode.");
        if (layer is not IRecurrentLayer recurrent)
            throw new ArgumentException($"Bidirectional wraps a recurrent layer (SimpleRnn, Lstm, Gru or Rnn), got {layer.Title}.", nameof(layer));
        MergeMode = mergeMode;
        string stem = StemOf(layer);
        if (backwardLayer is null)
        {
            if (layer is not RecurrentLayer fused)
                throw new ArgumentException($"Bidirectional cannot copy {layer.Title}: a custom cell has no options to copy its layer from. " +
                                            "Pass backwardLayer: an Rnn over a cell of its own, with goBackwards: true.", nameof(backwardLayer));
            // Keras 3 refuses this too: its backward copy always reads backwards, so both would.
            if (fused.GoBackwards)
                throw new ArgumentException($"Bidirectional wraps a layer that reads forwards and makes its backward copy; {layer.Title} has goBackwards true. " +
                                            "Wrap it with goBackwards: false, or pass both layers (backwardLayer).", nameof(layer));
            ForwardLayer = fused.CopyAs("forward_" + stem, fused.GoBackwards);
            BackwardLayer = fused.CopyAs("backward_" + stem, !fused.GoBackwards);
        }
        else
        {
            if (ReferenceEquals(backwardLayer, layer)) throw new ArgumentException("Bidirectional needs two layers: backwardLayer is the forward layer again.", nameof(backwardLayer));
            if (backwardLayer is not IRecurrentLayer back)
                throw new ArgumentException($"Bidirectional's backward layer must be a recurrent layer (SimpleRnn, Lstm, Gru or Rnn), got {backwardLayer.Title}.", nameof(backwardLayer));
            CheckPair(recurrent, back, backwardLayer.Title);
            ForwardLayer = layer is RecurrentLayer fused ? fused.CopyAs("forward_" + stem, fused.GoBackwards) : Claim(layer, "forward_" + stem);
            BackwardLayer = Claim(backwardLayer, "backward_" + StemOf(backwardLayer));
        }
        if (ForwardLayer.Name == BackwardLayer.Name)
            throw new ArgumentException($"Bidirectional's two layers are both named '{ForwardLayer.Name}'; their weights are saved under their names, so give them different ones.", nameof(backwardLayer));
    }

    /// <summary>The layer that reads each sequence in the wrapped layer's direction.</summary>
    public Layer ForwardLayer { get; }

    /// <summary>The layer that reads the other way.</summary>
    public Layer BackwardLayer { get; }

    /// <summary>How the two outputs are combined.</summary>
    public BidirectionalMergeMode MergeMode { get; }

    private IRecurrentLayer ForwardRecurrent => (IRecurrentLayer)ForwardLayer;

    private IRecurrentLayer BackwardRecurrent => (IRecurrentLayer)BackwardLayer;

    /// <summary>Whether every step's output is returned (the wrapped layer's option).</summary>
    public bool ReturnSequences => ForwardRecurrent.ReturnSequences;

    /// <summary>Whether both directions' final states are returned too.</summary>
    public bool ReturnState => ForwardRecurrent.ReturnState;

    /// <inheritdoc />
    public override string TypeName => "Bidirectional";

    internal override bool IsStateful => ForwardRecurrent.Stateful;

    // The name the wrapped layer would get in a model, as Keras uses it: "lstm" for an unnamed LSTM, without a "forward_" it already has.
    private static string StemOf(Layer layer)
    {
        string name = layer.Name != "" ? layer.Name : Model.KerasStem(layer.TypeName);
        return name.StartsWith("forward_", StringComparison.Ordinal) ? name["forward_".Length..]
            : name.StartsWith("backward_", StringComparison.Ordinal) ? name["backward_".Length..] : name;
    }

    /// <summary>
    /// Takes a layer used as given (it cannot be copied): it belongs to this wrapper from now on, named after its direction
    /// unless it has a name. A layer another wrapper holds is refused, since the two would silently share its weights.
    /// </summary>
    private Layer Claim(Layer layer, string name)
    {
        if (layer.Wrapper is not null)
            throw new ArgumentException($"{layer.Title} already belongs to another Bidirectional wrapper, which holds its weights; give each wrapper layers of its own.");
        layer.Wrapper = this;
        if (layer.Name == "") layer.Name = name;
        return layer;
    }

    // Keras's checks on a given backward layer: the other direction, and the same outputs and statefulness.
    private static void CheckPair(IRecurrentLayer forward, IRecurrentLayer backward, string backwardTitle)
    {
        if (forward.GoBackwards == backward.GoBackwards)
            throw new ArgumentException($"Bidirectional's backward layer must read the other way: {backwardTitle} has goBackwards {backward.GoBackwards}, as the forward layer does.", "backwardLayer");
        foreach (var (option, f, b) in new[]
                 {
                     ("returnSequences", forward.ReturnSequences, backward.ReturnSequences), ("returnState", forward.ReturnState, backward.ReturnState),
                     ("stateful", forward.Stateful, backward.Stateful),
                 })
            if (f != b) throw new ArgumentException($"Bidirectional's two layers must agree on {option}: the forward layer has {f}, {backwardTitle} has {b}.", "backwardLayer");
    }

    /// <inheritdoc />
    protected override int[][] BuildCore(int[][] inputShapes)
    {
        var shapes = OutputShapesOf(inputShapes);
        foreach (var w in ForwardLayer.Weights) MirrorWeight(w, $"{ForwardLayer.Name}/{w.Name}");
        foreach (var w in BackwardLayer.Weights) MirrorWeight(w, $"{BackwardLayer.Name}/{w.Name}");
        return shapes;
    }

    // The wrapped layers check a later call (a shared layer) themselves, in OutputShapesOf.
    private protected override void CheckLaterCall(int[][] inputShapes) { }

    private protected override int[][] OutputShapesOf(int[][] inputShapes)
    {
        var (forwardInputs, backwardInputs) = SplitStates(inputShapes, inputShapes.Length);
        var forward = BuildInner(ForwardLayer, forwardInputs);
        var backward = BuildInner(BackwardLayer, backwardInputs);
        int[] f = forward[0], b = backward[0];
        int[][] merged;
        switch (MergeMode)
        {
            case BidirectionalMergeMode.None:
                merged = [f, b];
                break;
            case BidirectionalMergeMode.Concat:
                merged = [[.. f[..^1], f[^1] + b[^1]]];
                break;
            default:
                if (f[^1] != b[^1])
                    throw new ArgumentException($"{Title} merges its two directions with {MergeMode}, which needs equal widths: the forward layer has {f[^1]} units, the backward layer {b[^1]}.");
                merged = [f];
                break;
        }
        return [.. merged, .. forward[1..], .. backward[1..]];
    }

    // A wrapped layer's shape error says which wrapper it is in: stacked wrappers all hold a forward_lstm.
    private int[][] BuildInner(Layer inner, int[][] inputShapes)
    {
        try { return inner.Build(inputShapes); }
        catch (ArgumentException e) { throw new ArgumentException($"{Title}: {e.Message}", e); }
    }

    /// <summary>
    /// The inputs of each direction: the sequence, then the first half of the initial states for the forward layer and
    /// the second half for the backward one, as Keras splits them.
    /// </summary>
    private (T[] Forward, T[] Backward) SplitStates<T>(T[] inputs, int count)
    {
        int states = ForwardRecurrent.StateCount + BackwardRecurrent.StateCount;
        if (count != 1 && count != 1 + states)
            throw new ArgumentException($"{Title} takes a sequence and optionally {states} initial states (the forward layer's {ForwardRecurrent.StateCount}, " +
                                        $"then the backward layer's {BackwardRecurrent.StateCount}), got {count - 1} initial state(s).");
        if (count == 1) return ([inputs[0]], [inputs[0]]);
        int split = 1 + ForwardRecurrent.StateCount;
        return (inputs[..split], [inputs[0], .. inputs[split..]]);
    }

    internal override Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var x = inputs[0];
        if (context.CarryStates)
            throw new NotSupportedException($"{Title} reads each sequence from both ends, which truncated BPTT cannot do: it carries state from each chunk " +
                                            "to the next one in time, and the backward direction would need it from the chunk after. Train it without truncatedBpttSteps.");
        var (forwardInputs, backwardInputs) = SplitStates(inputs, inputs.Length);
        var forward = ForwardLayer.Forward(graph, forwardInputs, context);
        var backward = BackwardLayer.Forward(graph, backwardInputs, context);
        Node f = forward[0], b = backward[0];
        if (ReturnSequences)
        {
            // The backward layer returns its outputs in its reading order; put them back in time order.
            b = graph.ReverseTime(b);
            // Keras's Bidirectional forces zero_output_for_mask: a padded step outputs zero in both halves, where the
            // layers alone repeat their last output (the forward one after a row's end, the backward one before its start).
            if (x.Mask is { } mask) (f, b) = (graph.MaskTimesteps(f, mask), graph.MaskTimesteps(b, mask));
        }
        Node[] merged = MergeMode switch
        {
            BidirectionalMergeMode.None => [f, b],
            BidirectionalMergeMode.Concat => [graph.Concat(f, b)],
            BidirectionalMergeMode.Sum => [graph.Add(f, b)],
            BidirectionalMergeMode.Multiply => [graph.Multiply(f, b)],
            _ => [graph.Scale(graph.Add(f, b), 0.5)],
        };
        foreach (var m in merged) m.Mask = ReturnSequences ? x.Mask : null;
        return [.. merged, .. forward[1..], .. backward[1..]];
    }

    /// <inheritdoc />
    public override void ResetStates()
    {
        ForwardLayer.ResetStates();
        BackwardLayer.ResetStates();
    }

    // The values are the wrapped layers': they place and free them; the wrapper's weights mirror them.
    internal override void Place(IBackend backend, Random random)
    {
        ForwardLayer.Place(backend, random);
        BackwardLayer.Place(backend, random);
        base.Place(backend, random);
    }

    internal override void Release()
    {
        ForwardLayer.Release();
        BackwardLayer.Release();
        base.Release();
    }
}
