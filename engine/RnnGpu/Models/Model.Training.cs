using RnnGpu.Backends;
using RnnGpu.Graphs;
using RnnGpu.Layers;
using RnnGpu.Training;

namespace RnnGpu;

public partial class Model
{
    /// <summary>
    /// Keras <c>fit</c>: trains for <paramref name="epochs"/> over mini-batches, printing a progress bar and per-epoch
    /// metrics, and returns the history.
    /// </summary>
    /// <param name="x">Inputs <c>[N, …input shape]</c>.</param>
    /// <param name="y">Targets: one-hot/probabilities shaped like the output, or class indices for sparse losses.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per update.</param>
    /// <param name="shuffle">Reshuffle the samples every epoch.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="validationData">Data evaluated after every epoch.</param>
    /// <param name="validationSplit">Fraction of the samples (the last ones, before shuffling) held out for validation.</param>
    /// <param name="callbacks">Epoch and batch hooks.</param>
    /// <param name="truncatedBpttSteps">
    /// Truncated backpropagation through time: sequences longer than this are cut into chunks of this many steps;
    /// recurrent layers carry their state from chunk to chunk without a gradient path between chunks, and the weights
    /// are updated after every chunk that has a loss (every chunk for sequence outputs, the last one otherwise).
    /// </param>
    public History Fit(Tensor x, Tensor y, int epochs = 1, int batchSize = 32, bool shuffle = true, int verbose = 1,
        (Tensor X, Tensor Y)? validationData = null, double validationSplit = 0, IEnumerable<Callback>? callbacks = null,
        int? truncatedBpttSteps = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        RequireCompiled();
        RequireSingleInput(nameof(Fit));
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Epochs must be >= 0.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be >= 1.");
        if (validationSplit is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "Validation split must be in [0, 1).");
        if (truncatedBpttSteps is < 1) throw new ArgumentOutOfRangeException(nameof(truncatedBpttSteps), truncatedBpttSteps, "Truncated BPTT needs at least 1 step per chunk.");
        EnsureReady(x);
        CheckData(x, y, nameof(x), nameof(y));
        if (validationSplit > 0)
        {
            int held = (int)(x.Shape[0] * validationSplit);
            if (held == 0 || held == x.Shape[0]) throw new ArgumentException($"Validation split {validationSplit} of {x.Shape[0]} samples leaves no training or no validation data.", nameof(validationSplit));
            validationData = (x.SliceRows(x.Shape[0] - held, held), y.SliceRows(x.Shape[0] - held, held));
            x = x.SliceRows(0, x.Shape[0] - held);
            y = y.SliceRows(0, y.Shape[0] - held);
        }
        if (validationData is { } v) CheckData(v.X, v.Y, "validationData.X", "validationData.Y");

        var hooks = callbacks?.ToList() ?? [];
        var context = new TrainingContext(this);
        var history = new History();
        int n = x.Shape[0], batches = (n + batchSize - 1) / batchSize;
        var order = Enumerable.Range(0, n).ToArray();
        var shuffler = new Random(_dropoutRandom.Next());
        for (int epoch = 0; epoch < epochs && !context.StopTraining; epoch++)
        {
            foreach (var h in hooks) h.OnEpochBegin(epoch, context);
            if (verbose > 0) Output.WriteLine($"Epoch {epoch + 1}/{epochs}");
            if (shuffle) shuffler.Shuffle(order);
            var bar = new ProgressBar(Output, batches, verbose);
            var totals = new Totals();
            var logs = new Dictionary<string, double>();
            for (int b = 0; b < batches; b++)
            {
                var rows = order.AsSpan(b * batchSize, Math.Min(batchSize, n - b * batchSize));
                var stats = TrainBatch(x.TakeRows(rows), y.TakeRows(rows), truncatedBpttSteps, epoch, b);
                totals.Add(stats);
                logs = totals.Logs(TracksAccuracy, "");
                bar.Update(b + 1, logs);
                foreach (var h in hooks) h.OnBatchEnd(b, logs, context);
            }
            if (validationData is { } val)
                foreach (var (k, value) in EvaluateCore(val.X, val.Y, batchSize)) logs["val_" + k] = value;
            bar.Finish(batches, logs);
            history.Add(logs);
            foreach (var h in hooks) h.OnEpochEnd(epoch, logs, context);
        }
        return history;
    }

    /// <summary>Keras <c>evaluate</c>: the mean loss (and accuracy when tracked) over the data, without training.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        RequireCompiled();
        RequireSingleInput(nameof(Evaluate));
        EnsureReady(x);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be >= 1.");
        CheckData(x, y, nameof(x), nameof(y));
        var logs = EvaluateCore(x, y, batchSize);
        if (verbose > 0) Output.WriteLine(ProgressBar.Format(logs).TrimStart(' ', '-'));
        return logs;
    }

    private Dictionary<string, double> EvaluateCore(Tensor x, Tensor y, int batchSize)
    {
        var totals = new Totals();
        int n = x.Shape[0];
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            totals.Add(Step(x.SliceRows(start, count), y.SliceRows(start, count), train: false, carry: false));
        }
        return totals.Logs(TracksAccuracy, "");
    }

    /// <summary>Keras <c>predict</c>: the first output for every sample, <c>[N, …output shape]</c>.</summary>
    public Tensor Predict(Tensor x, int batchSize = 32) => PredictAll(x, batchSize)[0];

    /// <summary>Every output of the model for every sample.</summary>
    public Tensor[] PredictAll(Tensor x, int batchSize = 32) => PredictAll([x], batchSize);

    /// <summary>Every output of a model with several inputs.</summary>
    public Tensor[] PredictAll(Tensor[] inputs, int batchSize = 32)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0) throw new ArgumentException("Predict needs at least one input tensor.", nameof(inputs));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be >= 1.");
        EnsureReady(inputs[0]);
        if (inputs.Length != _inputs.Length) throw new ArgumentException($"Model '{Name}' has {_inputs.Length} inputs, got {inputs.Length} tensors.", nameof(inputs));
        for (int i = 0; i < inputs.Length; i++) CheckInput(inputs[i], i, inputs.Length == 1 ? "x" : $"inputs[{i}]");
        int n = inputs[0].Shape[0];
        var results = new List<Tensor>[_outputs.Length];
        for (int o = 0; o < results.Length; o++) results[o] = [];
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            var batch = inputs.Select(t => t.SliceRows(start, count)).ToArray();
            using var graph = new Graph(Backend!, training: false);
            var nodes = batch.Select(t => graph.Constant(Backend!.Upload(t.Data, t.Shape), owned: true)).ToArray();
            var outs = Forward(graph, nodes, new LayerContext { Training = false, Random = _dropoutRandom, HostInput = batch[0] });
            for (int o = 0; o < outs.Length; o++)
            {
                var data = new float[outs[o].Value.Length];
                Backend!.Download(outs[o].Value, data);
                results[o].Add(new Tensor(data, outs[o].Shape));
            }
        }
        return [.. results.Select(Concatenate)];
    }

    /// <summary>The arg-max class of every prediction row (Keras <c>predict_classes</c>); for a sequence output, one per timestep.</summary>
    public int[] PredictClasses(Tensor x, int batchSize = 32)
    {
        var p = Predict(x, batchSize);
        int c = p.Shape[^1], rows = p.Length / Math.Max(1, c);
        var classes = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            if (c == 1) { classes[r] = p.Data[r] > 0.5f ? 1 : 0; continue; }
            classes[r] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p.Data.AsSpan(r * c, c));
        }
        return classes;
    }

    // ------------------------------------------------------------------ one batch

    private BatchStats TrainBatch(Tensor x, Tensor y, int? k, int epoch, int batch)
    {
        int steps = x.Rank >= 3 ? x.Shape[1] : 0;
        if (k is not int chunk || steps <= chunk) return Step(x, y, train: true, carry: false, epoch, batch);

        bool sequenceTargets = OutputShape.Length >= 2 && y.Rank >= 2 && y.Shape[1] == steps;
        ResetTransientStates();
        var totals = new BatchStats();
        try
        {
            for (int start = 0; start < steps; start += chunk)
            {
                int length = Math.Min(chunk, steps - start);
                var xc = SliceSteps(x, start, length);
                if (sequenceTargets) totals = totals.Merge(Step(xc, SliceSteps(y, start, length), train: true, carry: true, epoch, batch));
                else if (start + length >= steps) totals = Step(xc, y, train: true, carry: true, epoch, batch);
                else AdvanceStates(xc);
            }
        }
        finally { ResetTransientStates(); }
        return totals;
    }

    /// <summary>Forward (and in training, backward and update) over one batch or chunk.</summary>
    private BatchStats Step(Tensor x, Tensor y, bool train, bool carry, int epoch = 0, int batch = 0)
    {
        var backend = Backend!;
        using var graph = new Graph(backend, training: train);
        var output = RecordForward(graph, x, carry);
        var targets = graph.Own(Loss!.PrepareTargets(backend, y, output.Shape));
        DeviceTensor? weights = output.Shape.Length == 3 && output.Mask is { } mask ? backend.View(mask, [mask.Length]) : null;
        double loss = Loss.Compute(graph, output, targets, weights);
        if (!double.IsFinite(loss))
            throw new TrainingDivergedException($"Model '{Name}': the loss became {loss} in epoch {epoch + 1}, batch {batch + 1}; the weights were not updated. Lower the learning rate, clip gradients (clipNorm), or check the data for extreme values.");
        if (train)
        {
            graph.Backward();
            Optimizer!.Apply(Parameters);
        }
        int rows = output.Value.Rows;
        double weight = weights is null ? rows : backend.Sum(weights);
        double correct = TracksAccuracy ? backend.CountArgMaxMatches(output.Value, targets, weights) : 0;
        return new BatchStats(loss * weight, weight, correct);
    }

    private void AdvanceStates(Tensor x)
    {
        using var graph = new Graph(Backend!, training: false);
        RecordForward(graph, x, carry: true);
    }

    /// <summary>Uploads a single-input batch and records the model's forward pass on <paramref name="graph"/>; returns the first output.</summary>
    private Node RecordForward(Graph graph, Tensor x, bool carry)
    {
        var input = graph.Constant(graph.Backend.Upload(x.Data, x.Shape), owned: true);
        return Forward(graph, [input], new LayerContext { Training = graph.Training, Random = _dropoutRandom, CarryStates = carry, HostInput = x })[0];
    }

    private void ResetTransientStates()
    {
        foreach (var layer in Layers)
            if (layer is not RecurrentLayer { Stateful: true }) layer.ResetStates();
    }

    /// <summary>Steps [start, start + length) of a batch-major sequence tensor <c>[N, T, …]</c>.</summary>
    internal static Tensor SliceSteps(Tensor t, int start, int length)
    {
        int n = t.Shape[0], steps = t.Shape[1], inner = t.Length / Math.Max(1, n * steps);
        var data = new float[n * length * inner];
        for (int i = 0; i < n; i++)
            Array.Copy(t.Data, ((long)i * steps + start) * inner, data, (long)i * length * inner, length * inner);
        return new Tensor(data, [n, length, .. t.Shape[2..]]);
    }

    private static Tensor Concatenate(List<Tensor> parts)
    {
        if (parts.Count == 1) return parts[0];
        int rows = parts.Sum(p => p.Shape[0]);
        var data = new float[parts.Sum(p => p.Length)];
        int offset = 0;
        foreach (var p in parts) { p.Data.CopyTo(data, offset); offset += p.Length; }
        return new Tensor(data, [rows, .. parts[0].Shape[1..]]);
    }

    // ------------------------------------------------------------------ validation of user data

    private void CheckData(Tensor x, Tensor y, string xName, string yName)
    {
        CheckInput(x, 0, xName);
        if (y.Rank == 0 || y.Shape[0] != x.Shape[0])
            throw new ArgumentException($"Model '{Name}': {xName} has {x.Shape[0]} samples but {yName} has {(y.Rank == 0 ? 0 : y.Shape[0])} (shape {ShapeUtil.Format(y.Shape)}).", yName);
        CheckTargetShape(x, y, yName);
        Loss!.Validate(y, OutputShape[^1]);
    }

    /// <summary>
    /// Checks the targets against the output before any batch runs, so the error describes the user's data: one class
    /// index per output row for sparse losses, the output's own shape otherwise. Output dimensions still unknown (other
    /// than a sequence output's length, which is the input's) are left to the per-batch check.
    /// </summary>
    private void CheckTargetShape(Tensor x, Tensor y, string yName)
    {
        int[] output = OutputShape, known = [.. output];
        if (known.Length > 1 && known[0] < 0 && x.Rank > 1) known[0] = x.Shape[1];
        if (known.Any(d => d < 0)) return;
        int n = x.Shape[0];
        bool sparse = Loss!.TakesClassIndices;
        int perSample = sparse ? ShapeUtil.Rows(known) : ShapeUtil.Size(known);
        if (y.Length == (long)perSample * n) return;
        string expected = sparse
            ? $"{perSample} integer class label{(perSample == 1 ? "" : "s")} per sample (one per output row, {n * perSample} in all)"
            : $"targets shaped like the output, {ShapeUtil.Format([n, .. known])}";
        string hint = sparse && y.Length == (long)ShapeUtil.Size(known) * n ? "; one-hot targets go with categorical_crossentropy" : "";
        throw new ArgumentException($"Model '{Name}': loss '{Loss.Name}' needs {expected} for output {ShapeUtil.Format([-1, .. output])}, " +
                                    $"got {yName} of shape {ShapeUtil.Format(y.Shape)}{hint}.", yName);
    }

    /// <summary>Fit and Evaluate feed one input tensor; a model with several inputs can only predict (<see cref="PredictAll(Tensor[], int)"/>).</summary>
    private void RequireSingleInput(string method)
    {
        if (_inputs.Length > 1)
            throw new NotSupportedException($"Model '{Name}' has {_inputs.Length} inputs ({string.Join(", ", _inputs.Select(i => $"{i.Name} {ShapeUtil.Format([-1, .. i.Shape])}"))}); " +
                                            $"{method} takes a single input tensor, so such a model can be run with PredictAll(Tensor[]) but not trained or evaluated.");
    }

    private void CheckInput(Tensor x, int index, string argument)
    {
        var expected = _inputs[index].Shape;
        var first = _calls.FirstOrDefault(c => c.Inputs.Contains(_inputs[index]))?.Layer;
        string layer = first is null ? $"model '{Name}'" : $"layer '{first.Name}' ({first.TypeName})";
        if (x.Rank == expected.Length + 1 && x.Shape[0] == 0)
            throw new ArgumentException($"Input of {layer}: {argument} has no samples (shape {ShapeUtil.Format(x.Shape)}).", argument);
        bool ok = x.Rank == expected.Length + 1 && x.Shape[0] > 0;
        for (int d = 0; ok && d < expected.Length; d++) ok = expected[d] < 0 || expected[d] == x.Shape[d + 1];
        if (!ok)
            throw new ArgumentException($"Input of {layer}: expected {argument} of shape {ShapeUtil.Format([-1, .. expected])}, got {ShapeUtil.Format(x.Shape)}.", argument);
        if (_inputs[index].BatchSize is int fixedBatch && x.Shape[0] % fixedBatch != 0)
            throw new ArgumentException($"Input of {layer}: the model has a fixed batch size of {fixedBatch}, but {argument} has {x.Shape[0]} samples.", argument);
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x.Data[i]))
                throw new ArgumentException($"Input of {layer}: {argument} holds {x.Data[i]} at flat position {i}.", argument);
        first?.ValidateInput(x);
    }

    private readonly record struct BatchStats(double WeightedLoss, double Weight, double Correct)
    {
        public BatchStats Merge(BatchStats o) => new(WeightedLoss + o.WeightedLoss, Weight + o.Weight, Correct + o.Correct);
    }

    private sealed class Totals
    {
        private BatchStats _sum;

        public void Add(BatchStats s) => _sum = _sum.Merge(s);

        public Dictionary<string, double> Logs(bool accuracy, string prefix)
        {
            var logs = new Dictionary<string, double> { [prefix + "loss"] = _sum.Weight == 0 ? 0 : _sum.WeightedLoss / _sum.Weight };
            if (accuracy) logs[prefix + "accuracy"] = _sum.Weight == 0 ? 0 : _sum.Correct / _sum.Weight;
            return logs;
        }
    }
}
