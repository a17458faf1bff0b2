using RnnGpu.Backends;

namespace RnnGpu.Graphs;

/// <summary>
/// Records the ops of one forward pass on a backend, in execution order, and runs reverse-mode
/// differentiation over them. Every op is a method of this class (see the <c>Graph.*.cs</c> files); a fused
/// recurrent layer is one op. Disposing the graph returns every intermediate buffer to the backend's pool,
/// so a training step allocates nothing new once the pool is warm.
/// </summary>
public sealed partial class Graph : IDisposable
{
    private readonly List<Node> _nodes = [];
    private readonly List<IDisposable> _owned = [];

    /// <summary>Creates an empty graph.</summary>
    /// <param name="backend">Where every op runs.</param>
    /// <param name="training">Training mode: dropout is active and ops keep what backward needs.</param>
    public Graph(IBackend backend, bool training)
    {
        Backend = backend;
        Training = training;
    }

    /// <summary>The backend every op runs on.</summary>
    public IBackend Backend { get; }

    /// <summary>True while recording a training step.</summary>
    public bool Training { get; }

    /// <summary>Number of recorded nodes.</summary>
    public int Count => _nodes.Count;

    /// <summary>A leaf holding data (inputs, targets, carried states); no gradient flows into it.</summary>
    /// <param name="value">The tensor.</param>
    /// <param name="owned">Whether the graph disposes the tensor with itself.</param>
    public Node Constant(DeviceTensor value, bool owned = false)
    {
        if (owned) _owned.Add(value);
        return Record(value, requiresGrad: false, "constant", backward: null);
    }

    /// <summary>A leaf whose gradient accumulates into the parameter's gradient buffer.</summary>
    public Node Parameter(Parameter parameter)
    {
        bool grad = Training && parameter.Trainable;
        var node = Record(parameter.Value, grad, parameter.Name, backward: null);
        if (grad) node.Grad = parameter.Grad;
        return node;
    }

    /// <summary>
    /// Runs the backward pass: every recorded op, newest first, hands its output gradient to its inputs.
    /// When <paramref name="root"/> is given its gradient is seeded with ones (a scalar loss built from primitives);
    /// the fused loss ops seed their input gradients themselves.
    /// </summary>
    public void Backward(Node? root = null)
    {
        if (!Training) throw new InvalidOperationException("Backward needs a graph recorded in training mode.");
        if (root is not null) Backend.Fill(GradOf(root), 1);
        for (int i = _nodes.Count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            if (node.Backward is null) continue;
            if (node.Grad is null && (node.Siblings is null || Array.TrueForAll(node.Siblings, s => s.Grad is null))) continue;
            node.Backward();
        }
    }

    /// <summary>A zero-filled tensor the graph disposes with itself.</summary>
    internal DeviceTensor NewTensor(int[] shape) => Own(Backend.Allocate(shape));

    /// <summary>Registers something to dispose with the graph.</summary>
    internal TDisposable Own<TDisposable>(TDisposable item) where TDisposable : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>The gradient buffer of a node, allocated zeroed on first use.</summary>
    internal DeviceTensor GradOf(Node node) => node.Grad ??= NewTensor(node.Shape);

    /// <summary>Appends a node; <paramref name="backward"/> runs only when the node requires a gradient.</summary>
    internal Node Record(DeviceTensor value, bool requiresGrad, string op, Action? backward)
    {
        var node = new Node(this, value, requiresGrad, op);
        if (requiresGrad && Training) node.Backward = backward;
        _nodes.Add(node);
        return node;
    }

    /// <summary>Appends a node whose value the graph owns.</summary>
    internal Node Record(DeviceTensor value, Node[] inputs, string op, Func<Node, Action> backward)
    {
        _owned.Add(value);
        bool requiresGrad = Training && Array.Exists(inputs, n => n.RequiresGrad);
        var node = new Node(this, value, requiresGrad, op) { Inputs = inputs };
        if (requiresGrad) node.Backward = backward(node);
        _nodes.Add(node);
        return node;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
        _nodes.Clear();
    }
}
