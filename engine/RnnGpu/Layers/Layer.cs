using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// Base of every layer. A layer declares its weights when it learns its input shape (<see cref="Build"/>), is placed
/// on a backend by its model, and records its forward computation as ops on a <see cref="Graph"/>; gradients come
/// from the graph, so a layer only writes its forward pass.
/// </summary>
public abstract class Layer
{
    private readonly List<Weight> _weights = [];

    /// <summary>Creates a layer.</summary>
    /// <param name="name">Unique name; when null the model assigns a Keras-style one (<c>lstm</c>, <c>lstm_1</c>, …).</param>
    /// <param name="inputShape">Input shape without the batch dimension (null entries are unknown, e.g. a variable number of steps); only needed on a model's first layer.</param>
    /// <param name="batchSize">Fixed batch size (Keras <c>batch_input_shape</c>), needed by stateful layers.</param>
    protected Layer(string? name, int?[]? inputShape, int? batchSize)
    {
        _name = name ?? "";
        DeclaredInputShape = inputShape is null ? null : Array.ConvertAll(inputShape, d => d ?? -1);
        DeclaredBatchSize = batchSize;
    }

    /// <summary>The layer's name, unique within a model.</summary>
    public string Name
    {
        get => _name;
        internal set
        {
            _name = value;
            if (value != "") OnNamed();
        }
    }

    private string _name = "";

    /// <summary>Called when a model names the layer (not for a name given to the constructor).</summary>
    private protected virtual void OnNamed() { }

    /// <summary>Keras class name shown by <c>Summary</c>, e.g. <c>LSTM</c>.</summary>
    public abstract string TypeName { get; }

    /// <summary>
    /// How error messages name the layer: "Layer 'lstm' (LSTM)", or, for a layer called in a functional graph before a
    /// model has named it, "An unnamed LSTM layer".
    /// </summary>
    internal string Title => Name == "" ? $"An unnamed {TypeName} layer" : $"Layer '{Name}' ({TypeName})";

    /// <summary>Declared input shape without batch (-1 = unknown), or null.</summary>
    public int[]? DeclaredInputShape { get; }

    /// <summary>Declared fixed batch size, or null.</summary>
    public int? DeclaredBatchSize { get; }

    /// <summary>True once <see cref="Build"/> ran.</summary>
    public bool IsBuilt { get; private set; }

    /// <summary>Input shape without batch (-1 = unknown), once built.</summary>
    public int[] InputShape { get; private set; } = [];

    /// <summary>Output shape without batch (-1 = unknown), once built; the first output for multi-output layers.</summary>
    public int[] OutputShape => OutputShapes[0];

    /// <summary>Shapes of every output (a recurrent layer with <c>returnState</c> has several).</summary>
    public int[][] OutputShapes { get; private set; } = [[]];

    /// <summary>Declared weights in Keras order.</summary>
    public IReadOnlyList<Weight> Weights => _weights;

    /// <summary>Total number of weight elements (Keras "Param #").</summary>
    public long ParameterCount => _weights.Sum(w => (long)w.Size);

    /// <summary>Number of trainable weight elements.</summary>
    public long TrainableParameterCount => _weights.Where(w => w.Trainable).Sum(w => (long)w.Size);

    /// <summary>
    /// Called for every call of the layer in a model: the first learns the input shapes, declares the weights and
    /// computes the output shapes; a later one (a shared layer) is checked against the weights and gets output shapes
    /// of its own, as in Keras (a shared LSTM takes sequences of any length). Returns this call's output shapes.
    /// </summary>
    internal int[][] Build(int[][] inputShapes)
    {
        if (inputShapes.Length == 0) throw new ArgumentException($"{Title} was called without an input: call it on a tensor, layer.Call(x).");
        if (IsBuilt)
        {
            CheckLaterCall(inputShapes);
            return OutputShapesOf(inputShapes);
        }
        InputShape = inputShapes[0];
        OutputShapes = BuildCore(inputShapes);
        IsBuilt = true;
        return OutputShapes;
    }

    /// <summary>Checks the inputs of a call after the first against the built weights.</summary>
    private protected abstract void CheckLaterCall(int[][] inputShapes);

    /// <summary>The error for a later call whose input does not fit the built layer.</summary>
    private protected ArgumentException LaterCallError(int[] given) =>
        new($"{Title} was built for input shape {ShapeUtil.Format(InputShape)} and cannot take {ShapeUtil.Format(given)}.");

    /// <summary>The output shapes of a call after the first (checked by <see cref="CheckLaterCall"/>).</summary>
    private protected abstract int[][] OutputShapesOf(int[][] inputShapes);

    /// <summary>Validates the input shapes (without batch), declares weights with <see cref="AddWeight"/>, and returns the output shapes.</summary>
    protected abstract int[][] BuildCore(int[][] inputShapes);

    /// <summary>Declares a weight; call from <see cref="BuildCore"/>.</summary>
    protected Weight AddWeight(string name, int[] shape, Initializer initializer, bool trainable = true) =>
        Declare(new Weight(this, name, shape, initializer, trainable));

    /// <summary>Declares a weight that is another layer's weight under this layer's name (a wrapper's view of the wrapped layer's).</summary>
    private protected Weight MirrorWeight(Weight inner, string? name = null) =>
        Declare(new Weight(this, name ?? inner.Name, inner.Shape, inner.Initializer, inner.Trainable) { Mirrors = inner });

    private Weight Declare(Weight weight)
    {
        // Names are the keys of saved files (layer/name), so a repeat would only fail later, when saving.
        if (_weights.Any(w => w.Name == weight.Name))
            throw new InvalidOperationException($"{Title} declares the weight '{weight.Name}' twice: a layer's weight names must be unique (they name its tensors in saved files).");
        _weights.Add(weight);
        return weight;
    }

    /// <summary>Lets a custom cell declare weights on the layer that wraps it.</summary>
    internal Weight DeclareWeight(string name, int[] shape, Initializer initializer) => AddWeight(name, shape, initializer);

    /// <summary>Records the forward computation. <paramref name="inputs"/> has one node per declared input (most layers take one).</summary>
    internal abstract Node[] Forward(Graph graph, Node[] inputs, LayerContext context);

    /// <summary>Checks host input data before it is uploaded (e.g. embedding indices in range). Only called on a model's first layer.</summary>
    internal virtual void ValidateInput(Tensor input) { }

    /// <summary>The wrapper that holds this layer as given (a <see cref="Bidirectional"/>'s custom-cell layers), or null.</summary>
    internal Layer? Wrapper { get; set; }

    /// <summary>Whether the layer carries recurrent state from batch to batch (Keras <c>stateful</c>), so its model runs one fixed batch size.</summary>
    internal virtual bool IsStateful => false;

    /// <summary>Clears recurrent state carried between batches (stateful layers) or chunks (truncated BPTT).</summary>
    public virtual void ResetStates() { }

    /// <summary>Places the weights on a backend: initial values for weights that have none, the values kept for the others.</summary>
    internal virtual void Place(IBackend backend, Random random)
    {
        foreach (var w in _weights) w.Place(backend, random);
    }

    /// <summary>Frees the weights on their backend, keeping their values on the host (see <see cref="Weight.Release"/>).</summary>
    internal virtual void Release()
    {
        foreach (var w in _weights) w.Release();
    }

    /// <summary>
    /// How many placed, undisposed models use this layer: a layer shared by several models (a Keras encoder model built
    /// over a trained model's layers) keeps its weights until the last of them is disposed.
    /// </summary>
    internal int Users { get; set; }

    /// <summary>Throws a message that names this layer and the expected and actual input.</summary>
    protected ArgumentException ShapeError(string expected, int[] actual) =>
        new($"{Title} expects input {expected}, got {ShapeUtil.Format(actual)}.");

    /// <summary>The node of the single input, checked.</summary>
    protected Node Single(Node[] inputs) =>
        inputs.Length == 1 ? inputs[0] : throw new ArgumentException($"{Title} takes one input, got {inputs.Length}.");

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({TypeName})";
}
