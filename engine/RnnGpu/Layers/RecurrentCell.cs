using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// A user-written recurrent cell built from primitive graph ops (the custom cell of the TensorFlow tutorials). Wrap it in
/// <see cref="Rnn"/> to run it over a sequence; it trains like any layer because the graph differentiates every op.
/// </summary>
public abstract class RecurrentCell
{
    private Layer? _owner;

    /// <summary>Hidden size (the width of the output and of every state).</summary>
    public abstract int Units { get; }

    /// <summary>Number of state tensors, each <c>[B, Units]</c> (1 for a GRU-like cell, 2 for an LSTM-like cell).</summary>
    public virtual int StateCount => 1;

    /// <summary>Declares the cell's weights for the given input feature count, using <see cref="AddWeight"/>.</summary>
    protected abstract void Build(int inputDim);

    /// <summary>One timestep: from the input <c>[B, I]</c> and the states, the output <c>[B, Units]</c> and the new states.</summary>
    protected abstract (Node Output, Node[] States) Step(Graph graph, Node input, Node[] states);

    /// <summary>Declares a weight of the cell (stored on the wrapping layer, so the model sees, saves and trains it).</summary>
    protected Weight AddWeight(string name, int[] shape, Initializer initializer) =>
        (_owner ?? throw new InvalidOperationException("A cell declares its weights from Build, when an Rnn layer builds it.")).DeclareWeight(name, shape, initializer);

    /// <summary>The graph node of a weight for this step; gradients from every step accumulate into the same parameter.</summary>
    protected static Node Use(Graph graph, Weight weight) => graph.Parameter(weight.Parameter);

    /// <summary>Makes <paramref name="owner"/> the layer that holds the cell's weights; a cell belongs to one layer.</summary>
    internal void Attach(Layer owner)
    {
        if (_owner is not null && !ReferenceEquals(_owner, owner))
            throw new InvalidOperationException(
                $"{owner.Title} wraps a {GetType().Name} cell that already belongs to {_owner.Title}: the cell's weights live on that layer, so a second " +
                "layer would silently take them over. Give each Rnn layer its own cell, or, to share the weights, call the same Rnn layer twice.");
        _owner = owner;
    }

    internal void BuildFor(int inputDim) => Build(inputDim);

    internal (Node Output, Node[] States) StepOnce(Graph graph, Node input, Node[] states) => Step(graph, input, states);
}
