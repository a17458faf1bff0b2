using RnnGpu.Backends;
using RnnGpu.Graphs;
using RnnGpu.Layers;
using RnnGpu.Losses;
using RnnGpu.Optimizers;
using RnnGpu.Training;

namespace RnnGpu;

/// <summary>
/// A Keras-style model: a graph of layer calls from <see cref="Input"/>s to outputs (see <see cref="Sequential"/> for a
/// plain stack). <c>Compile</c>, then <c>Fit</c>, <c>Evaluate</c>, <see cref="Predict"/>;
/// weights move through <c>GetWeights</c>/<c>SetWeights</c> and safetensors files.
/// </summary>
public partial class Model : IDisposable
{
    private Input[] _inputs = [];
    private SymbolicTensor[] _outputs = [];
    private List<LayerCall> _calls = [];

    /// <summary>For each of <see cref="_calls"/>, which call of its layer it is in this model (0 for the first).</summary>
    private int[] _callIndices = [];
    private Random _dropoutRandom = new(0);

    /// <summary>A functional model with one input and one output.</summary>
    public Model(Input input, SymbolicTensor output, string? name = null) : this([input], [output], name) { }

    /// <summary>
    /// A functional model. <c>Fit</c> and <c>Evaluate</c> take one tensor per input (a <c>Tensor[]</c> when there are
    /// several) and train or score the first output; <c>PredictAll</c> returns every output.
    /// </summary>
    public Model(Input[] inputs, SymbolicTensor[] outputs, string? name = null)
    {
        Name = name ?? "model";
        SetGraph(inputs, outputs);
    }

    /// <summary>For subclasses that define their graph later (<see cref="Sequential"/>).</summary>
    protected Model(string name) => Name = name;

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>Layers in execution order.</summary>
    public IReadOnlyList<Layer> Layers => _calls.Select(c => c.Layer).Distinct().ToList();

    /// <summary>The backend the weights live on, once compiled or built.</summary>
    public IBackend? Backend { get; private set; }

    /// <summary>The optimizer given to <c>Compile</c>.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <c>Compile</c>.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>Whether accuracy is tracked (metric "accuracy").</summary>
    public bool TracksAccuracy { get; private set; }

    /// <summary>The metrics' keys in the logs, in the order given to <c>Compile</c> (after "loss").</summary>
    public IReadOnlyList<string> MetricNames => _metricNames;

    private readonly List<string> _metricNames = [];

    private readonly List<Training.RegressionMetric> _regressionMetrics = [];

    /// <summary>Where the progress bar and summary go (default standard output).</summary>
    public TextWriter Output { get; set; } = Console.Out;

    /// <summary>Input shape without batch of the first input.</summary>
    public int[] InputShape => Inputs[0].Shape;

    /// <summary>Output shape without batch of the first output.</summary>
    public int[] OutputShape => Outputs[0].Shape;

    /// <summary>The model's inputs.</summary>
    protected internal IReadOnlyList<Input> Inputs => _inputs.Length > 0 ? _inputs : throw new InvalidOperationException($"Model '{Name}' has no input shape yet: give the first layer an inputShape, or fit/predict once.");

    /// <summary>The model's outputs.</summary>
    protected internal IReadOnlyList<SymbolicTensor> Outputs => _outputs;

    /// <summary>True once the layer graph is known.</summary>
    public bool IsBuilt => _inputs.Length > 0;

    /// <summary>
    /// All weights in Keras order (layer by layer, each layer's in declaration order), each once: a layer used both
    /// directly and inside a <see cref="TimeDistributed"/> contributes its weights where it first appears.
    /// </summary>
    public IReadOnlyList<Weight> Weights => Layers.SelectMany(l => l.Weights).DistinctBy(w => w.Root).ToList();

    /// <summary>Total number of weight elements (each weight counted once, as Keras counts).</summary>
    public long ParameterCount => Weights.Sum(w => (long)w.Size);

    /// <summary>Number of trainable weight elements.</summary>
    public long TrainableParameterCount => Weights.Where(w => w.Trainable).Sum(w => (long)w.Size);

    /// <summary>Fixes the layer graph, names unnamed layers Keras-style (<c>lstm</c>, <c>lstm_1</c>, …).</summary>
    protected void SetGraph(Input[] inputs, SymbolicTensor[] outputs)
    {
        if (inputs.Length == 0 || outputs.Length == 0) throw new ArgumentException($"Model '{Name}' needs at least one input and one output.");
        for (int i = 0; i < inputs.Length; i++)
            if (Array.IndexOf(inputs, inputs[i]) < i)
                throw new ArgumentException($"Model '{Name}': input {i} is input {Array.IndexOf(inputs, inputs[i])} again; every input appears once in the model's inputs, as in Keras.");
        var calls = new List<LayerCall>();
        var seen = new HashSet<LayerCall>(ReferenceEqualityComparer.Instance);
        void Visit(SymbolicTensor s, LayerCall? consumer)
        {
            if (s.Producer is not { } call)
            {
                if (s is Input i && !inputs.Contains(i))
                {
                    string reader = consumer is null ? "an output" : consumer.Layer.Title;
                    string named = i.Name == "" ? "an Input" : $"Input '{i.Name}'";
                    throw new ArgumentException($"Model '{Name}': {reader} reads {named} of shape {ShapeUtil.Format([-1, .. i.Shape])}, which is not among the model's inputs " +
                                                $"({string.Join(", ", inputs.Select(x => ShapeUtil.Format([-1, .. x.Shape])))}): the graph is disconnected. Pass it as an input too.");
                }
                return;
            }
            if (!seen.Add(call)) return;
            foreach (var input in call.Inputs) Visit(input, call);
            calls.Add(call);
        }
        foreach (var o in outputs) Visit(o, null);
        _inputs = inputs;
        _outputs = outputs;
        _calls = calls;
        var callsSoFar = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        _callIndices = [.. calls.Select(c => callsSoFar[c.Layer] = callsSoFar.GetValueOrDefault(c.Layer, -1) + 1)];
        NameInputs(inputs);
        NameLayers(Layers);
        if (FirstStatefulLayer is { } stateful && inputs.All(i => i.BatchSize is null))
            throw new ArgumentException($"{stateful.Title} is stateful, so model '{Name}' needs a fixed batch size (the state it carries has one row per " +
                                        "batch row): declare it with batchSize: N on the first layer, or on the Input (Keras batch_input_shape).");
    }

    /// <summary>Names the unnamed inputs <c>input</c>, <c>input_1</c>, … in order, skipping names already taken.</summary>
    private static void NameInputs(Input[] inputs)
    {
        var used = new HashSet<string>(inputs.Where(i => i.Name != "").Select(i => i.Name));
        int next = 0;
        foreach (var input in inputs.Where(i => i.Name == ""))
        {
            string name;
            do name = next++ == 0 ? "input" : $"input_{next - 1}";
            while (!used.Add(name));
            input.Name = name;
        }
    }

    /// <summary>The first recurrent layer that carries its state across calls, or null.</summary>
    private Layer? FirstStatefulLayer => Layers.FirstOrDefault(l => l.IsStateful);

    /// <summary>
    /// Gives the unnamed ones of <paramref name="layers"/> Keras-style names (<c>lstm</c>, <c>lstm_1</c>, …) and checks that
    /// names are unique. <see cref="Sequential"/> calls it before it connects its layers, so that an error while
    /// connecting them names the layer.
    /// </summary>
    private protected void NameLayers(IReadOnlyList<Layer> layers)
    {
        var used = new HashSet<string>(layers.Where(l => l.Name != "").Select(l => l.Name));
        var counters = new Dictionary<string, int>();
        foreach (var layer in layers.Where(l => l.Name == ""))
        {
            string stem = KerasStem(layer.TypeName);
            string name;
            do
            {
                int n = counters.GetValueOrDefault(stem);
                counters[stem] = n + 1;
                name = n == 0 ? stem : $"{stem}_{n}";
            } while (!used.Add(name));
            layer.Name = name;
        }
        var duplicate = layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"Model '{Name}' has two layers named '{duplicate.Key}'. A model names its unnamed layers when it is made, so layers " +
                                        "taken from two models can share a name; give them names of their own (name: \"encoder_lstm\").");
    }

    internal static string KerasStem(string typeName) => typeName switch
    {
        "SimpleRNN" => "simple_rnn",
        "LSTM" => "lstm",
        "GRU" => "gru",
        "RNN" => "rnn",
        "TimeDistributed" => "time_distributed",
        _ => System.Text.RegularExpressions.Regex.Replace(typeName, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant(),
    };

    // ------------------------------------------------------------------ placement and compilation

    /// <summary>
    /// Places the model on a backend (done by <c>Compile</c> when needed). Weights get initial values the first time
    /// their layer is placed; weights a layer already has are kept, as in Keras (see <see cref="UseBackend"/>).
    /// </summary>
    /// <param name="device">
    /// Where to run. Default: where this model's layers already hold weights, when it shares trained layers with another
    /// model (a Keras encoder model built over a trained model's layers); else <see cref="Device.Auto"/>.
    /// </param>
    /// <param name="seed">Seed of the weight initialisation and dropout; null for a random seed.</param>
    public void Build(Device? device = null, int? seed = null)
    {
        if (device is null && Backend is null && PlacedLayersBackend() is { } shared)
        {
            UseBackend(shared, seed);
            return;
        }
        var backend = (device ?? Device.Auto).CreateBackend();
        UseBackend(backend, seed);
    }

    /// <summary>
    /// Places the model on an existing backend (shared by several models, e.g. training and prediction models). A weight
    /// gets initial values the first time its layer is placed and keeps its value afterwards: a model built over layers
    /// another model trained uses the trained weights, and placing this model on another backend moves its weights there.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Some layers hold weights that another model placed on a different backend, or this model would move weights that
    /// another undisposed model shares: a shared layer has one value, on one backend, so the model must run where that
    /// model runs.
    /// </exception>
    public void UseBackend(IBackend backend, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _ = Inputs;
        if (PlacedLayersBackend() is { } placed && !ReferenceEquals(placed, backend) && !ReferenceEquals(placed, Backend))
        {
            var layer = Layers.First(l => l.Weights.Any(w => ReferenceEquals(w.Backend, placed)));
            throw new InvalidOperationException(
                $"Model '{Name}' cannot run on {backend.Name}: its {layer.Title} already holds weights on {placed.Name}, placed by another " +
                "model that shares the layer. Place this model where that one runs: leave the device out, or call UseBackend(thatModel.Backend).");
        }
        if (Backend is not null && !ReferenceEquals(Backend, backend) && Layers.FirstOrDefault(l => l.Users > 1 && l.Weights.Count > 0) is { } shared)
            throw new InvalidOperationException(
                $"Model '{Name}' cannot move to {backend.Name}: its {shared.Title} is shared with another model that uses its weights on " +
                $"{Backend.Name}, and moving them would take them from that model. Dispose the other model first, or keep this one on {Backend.Name}.");
        var random = seed is int s ? new Random(s) : new Random();
        foreach (var layer in Layers) layer.Place(backend, random);
        if (Backend is null)
            foreach (var layer in Layers) layer.Users++;
        _dropoutRandom = new Random(random.Next());
        Optimizer?.Reset();
        Backend = backend;
    }

    /// <summary>The backend on which this model's layers already hold weights, or null when none does.</summary>
    /// <exception cref="InvalidOperationException">Two of its layers hold weights on different backends.</exception>
    private IBackend? PlacedLayersBackend()
    {
        (Layer Layer, IBackend Backend)? first = null;
        foreach (var layer in Layers)
        {
            foreach (var weight in layer.Weights)
            {
                if (weight.Backend is not { } backend) continue;
                first ??= (layer, backend);
                if (!ReferenceEquals(first.Value.Backend, backend))
                    throw new InvalidOperationException(
                        $"Model '{Name}' combines {first.Value.Layer.Title}, whose weights are on {first.Value.Backend.Name}, and {layer.Title}, " +
                        $"whose weights are on {backend.Name}: the layers of one model must live on one backend.");
            }
        }
        return first?.Backend;
    }

    /// <summary>Keras <c>compile</c>: sets the optimizer, loss and metrics; places the weights on <paramref name="device"/> unless they already live on a backend.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="metrics">
    /// Metric names. "accuracy" (or "acc"), as in tf.keras chosen by the output: binary accuracy (threshold 0.5) for a
    /// single output column, else the arg-max against the class index or one-hot row. "mae" / "mean_absolute_error" and
    /// "mse" / "mean_squared_error" against targets shaped like the output. Masked steps count for none of them.
    /// </param>
    /// <param name="device">Where to run (default <see cref="Device.Auto"/>); ignored when the model already has a backend.</param>
    /// <param name="seed">Seed of the weight initialisation and dropout.</param>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<string>? metrics = null, Device? device = null, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        // An optimizer's slots and update count belong to one model's weights; Keras refuses a second model too.
        if (optimizer.Owner is { _disposed: false } other && other != this)
            throw new ArgumentException($"The {optimizer.Name} optimizer is already used by model '{other.Name}': its state (update count, moments) belongs to that " +
                                        $"model's weights. Give model '{Name}' an optimizer of its own (new {optimizer.GetType().Name}(…)).", nameof(optimizer));
        if (Optimizer is { } previous && previous != optimizer && previous.Owner == this) previous.Owner = null;
        Optimizer = optimizer;
        optimizer.Owner = this;
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        TracksAccuracy = false;
        _metricNames.Clear();
        _regressionMetrics.Clear();
        foreach (var m in metrics ?? [])
        {
            if (m is "accuracy" or "acc") TracksAccuracy = true;
            else if (Training.RegressionMetric.FromName(m) is { } regression) _regressionMetrics.Add(regression);
            else throw new ArgumentException($"Unknown metric '{m}'. Known: accuracy, mae (mean_absolute_error), mse (mean_squared_error).", nameof(metrics));
            string key = m is "acc" ? "accuracy" : m;
            if (_metricNames.Contains(key)) throw new ArgumentException($"Metric '{m}' is given twice.", nameof(metrics));
            _metricNames.Add(key);
        }
        if (IsBuilt && Backend is null) Build(device, seed);
        else if (!IsBuilt) _pendingDevice = (device, seed);
        Optimizer.Reset();
    }

    /// <summary>Keras <c>compile</c> with names: <c>Compile("adam", "categorical_crossentropy", ["accuracy"])</c>.</summary>
    public void Compile(string optimizer, string loss, IEnumerable<string>? metrics = null, Device? device = null, int? seed = null) =>
        Compile(Optimizers.Optimizer.FromName(optimizer), Losses.Loss.FromName(loss), metrics, device, seed);

    private (Device? Device, int? Seed)? _pendingDevice;

    /// <summary>Builds a deferred model from the first data it sees and places it.</summary>
    private void EnsureReady(Tensor x)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsBuilt) BuildFromData(x.Shape[1..]);
        if (Backend is null)
        {
            var (device, seed) = _pendingDevice ?? (null, null);
            Build(device, seed);
        }
    }

    /// <summary>Defines the graph once the input shape is known from data (<see cref="Sequential"/> without an input shape).</summary>
    protected virtual void BuildFromData(int[] inputShape) =>
        throw new InvalidOperationException($"Model '{Name}' has no input shape.");

    private void RequireCompiled()
    {
        if (Optimizer is null || Loss is null) throw new InvalidOperationException($"Model '{Name}' must be compiled before training or evaluation: call Compile(optimizer, loss).");
    }

    // ------------------------------------------------------------------ forward

    /// <summary>Records the model's forward pass on a graph; returns one node per output.</summary>
    internal Node[] Forward(Graph graph, Node[] inputs, LayerContext context)
    {
        var values = new Dictionary<SymbolicTensor, Node>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _inputs.Length; i++) values[_inputs[i]] = inputs[i];
        for (int c = 0; c < _calls.Count; c++)
        {
            var call = _calls[c];
            context.CallIndex = _callIndices[c];
            var outs = call.Layer.Forward(graph, [.. call.Inputs.Select(s => values[s])], context);
            for (int j = 0; j < outs.Length; j++) values[call.Outputs[j]] = outs[j];
        }
        return [.. _outputs.Select(o => values[o])];
    }

    /// <summary>Clears the state of every stateful recurrent layer.</summary>
    public void ResetStates()
    {
        foreach (var layer in Layers) layer.ResetStates();
    }

    /// <summary>All parameters of the model on its backend.</summary>
    internal IReadOnlyList<Parameter> Parameters => Weights.Select(w => w.Parameter).Distinct().ToList();

    private bool _disposed;

    /// <summary>
    /// Frees the weights on the backend, except those of layers another undisposed model still uses; the model cannot
    /// be used afterwards.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Optimizer?.Reset();
        if (Optimizer?.Owner == this) Optimizer.Owner = null;
        foreach (var layer in Layers)
        {
            layer.ResetStates();
            if (Backend is not null && --layer.Users > 0) continue;
            layer.Release();
        }
        GC.SuppressFinalize(this);
    }
}
