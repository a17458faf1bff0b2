using RnnGpu.Backends;

namespace RnnGpu.Graphs;

/// <summary>
/// A value in a <see cref="Graph"/>: the tensor an op produced, the gradient flowing back into it, and the
/// function that passes that gradient on to the op's inputs.
/// </summary>
public sealed class Node
{
    internal Node(Graph graph, DeviceTensor value, bool requiresGrad, string op)
    {
        Graph = graph;
        Value = value;
        RequiresGrad = requiresGrad;
        Op = op;
    }

    /// <summary>The graph that recorded this node.</summary>
    public Graph Graph { get; }

    /// <summary>The forward value.</summary>
    public DeviceTensor Value { get; }

    /// <summary>Shape of <see cref="Value"/>.</summary>
    public int[] Shape => Value.Shape;

    /// <summary>True when a parameter influences this value, so gradients are propagated through it.</summary>
    public bool RequiresGrad { get; }

    /// <summary>Name of the op that produced the node, for error messages and debugging.</summary>
    public string Op { get; }

    /// <summary>Timestep mask <c>[B, T]</c> (1 = real step) that travels with a sequence value, or null.</summary>
    public DeviceTensor? Mask { get; internal set; }

    /// <summary>The op's inputs (empty for leaves); lets a loss find the logits under a softmax.</summary>
    public IReadOnlyList<Node> Inputs { get; internal set; } = [];

    /// <summary>Accumulated gradient, allocated (zeroed) when the first contribution arrives.</summary>
    internal DeviceTensor? Grad { get; set; }

    /// <summary>Passes <see cref="Grad"/> on to the inputs (accumulating); null for leaves.</summary>
    internal Action? Backward { get; set; }

    /// <summary>Nodes whose gradient this node's <see cref="Backward"/> also consumes (multi-output fused ops).</summary>
    internal Node[]? Siblings { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Op} {ShapeUtil.Format(Shape)}";
}
