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
    /// <param name="validationData">Data evaluated after every epoch; when given, <paramref name="validationSplit"/> is ignored, as in Keras.</param>
    /// <param name="validationSplit">
    /// Fraction of the samples held out for validation: as in Keras, the last N − ⌊N·(1 − split)⌋ of them, before shuffling.
    /// </param>
    /// <param name="callbacks">Epoch and batch hooks.</param>
    /// <param name="truncatedBpttSteps">
    /// Truncated backpropagation through time: sequences longer than this are cut into chunks of this many steps;
    /// recurrent layers carry their state from chunk to chunk without a gradient path between chunks, and the weights
    /// are updated after every chunk that has a loss (every chunk for sequence outputs, the last one otherwise).
    /// </param>
    /// <param name="initialEpoch">
    /// Keras <c>initial_epoch</c>: the epoch to start at (0-based), to resume training; <paramref name="epochs"/> is the
    /// epoch to end at, so <c>epochs − initialEpoch</c> epochs run, numbered as in the run that was interrupted.
    /// </param>
    /// <param name="sampleWeight">
    /// Keras <c>sample_weight</c>: a weight per sample <c>[N]</c> (or <c>[N, 1]</c>), or per sample and timestep <c>[N, T]</c> for sequence
    /// outputs, that scales its share of the loss. As in Keras, the loss stays a sum over the (unmasked) rows divided by
    /// their count, not by the weights' sum, and the accuracy is not weighted. With a validation split the held-out
    /// samples' weights weight the validation loss.
    /// </param>
    /// <param name="classWeight">
    /// Keras <c>class_weight</c>: a weight per class index (classes not listed weigh 1), turned into sample weights from
    /// <paramref name="y"/> (class indices, or the arg-max of one-hot rows). Not with <paramref name="sampleWeight"/>;
    /// as in Keras they weight training only, not the validation loss.
    /// </param>
    public History Fit(Tensor x, Tensor y, int epochs = 1, int? batchSize = null, bool shuffle = true, int verbose = 1,
        (Tensor X, Tensor Y)? validationData = null, double validationSplit = 0, IEnumerable<Callback>? callbacks = null,
        int? truncatedBpttSteps = null, int initialEpoch = 0, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Fit([x], y, epochs, batchSize, shuffle, verbose,
            validationData is { } v ? ([v.X], v.Y) : null, validationSplit, callbacks, truncatedBpttSteps, initialEpoch, sampleWeight, classWeight);
    }

    /// <summary>
    /// Keras <c>fit</c> for a model with several inputs (e.g. a sequence and the initial states of a recurrent layer):
    /// one tensor per model input, in the order the model declares them, all with the same number of samples. The other
    /// arguments are those of <see cref="Fit(Tensor, Tensor, int, int?, bool, int, ValueTuple{Tensor, Tensor}?, double, IEnumerable{Callback}?, int?, int, Tensor?, IReadOnlyDictionary{int, double}?)"/>;
    /// truncated BPTT needs a single input.
    /// </summary>
    public History Fit(Tensor[] inputs, Tensor y, int epochs = 1, int? batchSize = null, bool shuffle = true, int verbose = 1,
        (Tensor[] X, Tensor Y)? validationData = null, double validationSplit = 0, IEnumerable<Callback>? callbacks = null,
        int? truncatedBpttSteps = null, int initialEpoch = 0, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(y);
        RequireCompiled();
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "Epochs must be >= 0.");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "The initial epoch must be >= 0.");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be >= 1.");
        if (validationSplit is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "Validation split must be in [0, 1).");
        if (truncatedBpttSteps is < 1) throw new ArgumentOutOfRangeException(nameof(truncatedBpttSteps), truncatedBpttSteps, "Truncated BPTT needs at least 1 step per chunk.");
        CheckData(inputs, y, "x", nameof(y));
        if (classWeight is not null)
        {
            if (sampleWeight is not null) throw new ArgumentException($"Model '{Name}': give classWeight or sampleWeight, not both (as in Keras).", nameof(classWeight));
            sampleWeight = SampleWeights.FromClassWeights(y, classWeight, OutputShape, nameof(classWeight));
        }
        if (sampleWeight is not null) sampleWeight = SampleWeights.Check(sampleWeight, y, OutputShape, nameof(sampleWeight));
        Tensor? validationWeight = null;
        int size = BatchSizeFor(batchSize);
        if (truncatedBpttSteps is not null && inputs.Length > 1)
            throw new NotSupportedException($"Model '{Name}': truncated BPTT cuts one input sequence into chunks; this model has {inputs.Length} inputs.");
        if (validationSplit > 0 && validationData is null)
        {
            int samples = inputs[0].Shape[0], kept = (int)Math.Floor(samples * (1 - validationSplit)), held = samples - kept;
            if (kept == 0 || held == 0) throw new ArgumentException($"Validation split {validationSplit} of {samples} samples leaves no training or no validation data.", nameof(validationSplit));
            if (_inputs[0].BatchSize is int fixedBatch && (kept % fixedBatch != 0 || held % fixedBatch != 0))
                throw new ArgumentException($"Model '{Name}' has a fixed batch size of {fixedBatch}: validation split {validationSplit} of {samples} samples " +
                                            $"leaves {kept} for training and {held} for validation, and both must be multiples of {fixedBatch}.", nameof(validationSplit));
            validationData = (SliceRows(inputs, kept, held), y.SliceRows(kept, held));
            // As in Keras, class weights weight training only; the validation loss takes sample weights alone.
            validationWeight = classWeight is null ? sampleWeight?.SliceRows(kept, held) : null;
            inputs = SliceRows(inputs, 0, kept);
            y = y.SliceRows(0, kept);
            sampleWeight = sampleWeight?.SliceRows(0, kept);
        }
        if (validationData is { } v) CheckData(v.X, v.Y, "validationData.X", "validationData.Y");

        var hooks = callbacks?.ToList() ?? [];
        var context = new TrainingContext(this);
        var history = new History();
        int n = inputs[0].Shape[0], batches = (n + size - 1) / size;
        var order = Enumerable.Range(0, n).ToArray();
        var shuffler = new Random(_dropoutRandom.Next());
        foreach (var h in hooks) h.OnTrainBegin(context);
        for (int epoch = initialEpoch; epoch < epochs && !context.StopTraining; epoch++)
        {
            foreach (var h in hooks) h.OnEpochBegin(epoch, context);
            if (verbose > 0) Output.WriteLine($"Epoch {epoch + 1}/{epochs}");
            if (shuffle) shuffler.Shuffle(order);
            var bar = new ProgressBar(Output, batches, verbose);
            var totals = new Totals();
            var logs = new Dictionary<string, double>();
            int done = 0;
            for (int b = 0; b < batches; b++)
            {
                var rows = order.AsSpan(b * size, Math.Min(size, n - b * size));
                var batch = new Tensor[inputs.Length];
                for (int i = 0; i < inputs.Length; i++) batch[i] = inputs[i].TakeRows(rows);
                var stats = TrainBatch(batch, y.TakeRows(rows), sampleWeight?.TakeRows(rows), truncatedBpttSteps, epoch, b);
                totals.Add(stats);
                logs = totals.Logs(this);
                done = b + 1;
                bar.Update(done, logs);
                foreach (var h in hooks) h.OnBatchEnd(b, logs, context);
                // As in Keras, a stop ends the epoch after this batch; validation and OnEpochEnd still run.
                if (context.StopTraining) break;
            }
            if (validationData is { } val)
                foreach (var (k, value) in EvaluateCore(val.X, val.Y, validationWeight, size)) logs["val_" + k] = value;
            bar.Finish(done, logs);
            history.Add(logs);
            foreach (var h in hooks) h.OnEpochEnd(epoch, logs, context);
        }
        foreach (var h in hooks) h.OnTrainEnd(context);
        return history;
    }

    /// <summary>
    /// Keras <c>evaluate</c>: the mean loss (and accuracy when tracked) over the data, without training. For masked
    /// sequence outputs it is the mean over every unpadded timestep of the data, whatever the batch size (tf.keras 2
    /// averages each batch's masked mean weighted by the batch's sample count, which depends on the batch size).
    /// </summary>
    /// <param name="x">Inputs <c>[N, …input shape]</c>.</param>
    /// <param name="y">Targets, as for <c>Fit</c>.</param>
    /// <param name="batchSize">Samples per pass.</param>
    /// <param name="verbose">0 silent, 1 prints the results.</param>
    /// <param name="sampleWeight">Weights of the samples' losses, as for <c>Fit</c>.</param>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor x, Tensor y, int? batchSize = null, int verbose = 0, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Evaluate([x], y, batchSize, verbose, sampleWeight);
    }

    /// <summary>Keras <c>evaluate</c> for a model with several inputs: one tensor per model input, in declaration order.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Tensor[] inputs, Tensor y, int? batchSize = null, int verbose = 0, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(y);
        RequireCompiled();
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be >= 1.");
        CheckData(inputs, y, "x", nameof(y));
        if (sampleWeight is not null) sampleWeight = SampleWeights.Check(sampleWeight, y, OutputShape, nameof(sampleWeight));
        var logs = EvaluateCore(inputs, y, sampleWeight, BatchSizeFor(batchSize));
        if (verbose > 0) Output.WriteLine(ProgressBar.Format(logs).TrimStart(' ', '-'));
        return logs;
    }

    private Dictionary<string, double> EvaluateCore(Tensor[] inputs, Tensor y, Tensor? sampleWeight, int batchSize)
    {
        var totals = new Totals();
        int n = inputs[0].Shape[0];
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            totals.Add(Step(SliceRows(inputs, start, count), y.SliceRows(start, count), sampleWeight?.SliceRows(start, count), train: false, carry: false));
        }
        return totals.Logs(this);
    }

    /// <summary>Keras <c>predict</c>: the first output for every sample, <c>[N, …output shape]</c>.</summary>
    public Tensor Predict(Tensor x, int? batchSize = null) => PredictAll(x, batchSize)[0];

    /// <summary>Every output of the model for every sample.</summary>
    public Tensor[] PredictAll(Tensor x, int? batchSize = null) => PredictAll([x], batchSize);

    /// <summary>Every output of a model with several inputs.</summary>
    public Tensor[] PredictAll(Tensor[] inputs, int? batchSize = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be >= 1.");
        CheckInputs(inputs, "x");
        int size = BatchSizeFor(batchSize), n = inputs[0].Shape[0];
        var results = new List<Tensor>[_outputs.Length];
        for (int o = 0; o < results.Length; o++) results[o] = [];
        for (int start = 0; start < n; start += size)
        {
            int count = Math.Min(size, n - start);
            using var graph = new Graph(Backend!, training: false);
            var outs = RecordForward(graph, SliceRows(inputs, start, count), carry: false);
            for (int o = 0; o < outs.Length; o++) results[o].Add(outs[o].Value.ToHost());
        }
        return [.. results.Select(Concatenate)];
    }

    /// <summary>
    /// The class of every prediction row (Keras <c>predict_classes</c>): the arg-max, or for a single sigmoid column,
    /// 1 above 0.5 and 0 otherwise; for a sequence output, one per timestep.
    /// </summary>
    public int[] PredictClasses(Tensor x, int? batchSize = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        return PredictClasses([x], batchSize);
    }

    /// <summary><see cref="PredictClasses(Tensor, int?)"/> for a model with several inputs: one tensor per model input, in declaration order.</summary>
    public int[] PredictClasses(Tensor[] inputs, int? batchSize = null)
    {
        var p = PredictAll(inputs, batchSize)[0];
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

    private BatchStats TrainBatch(Tensor[] inputs, Tensor y, Tensor? sampleWeight, int? k, int epoch, int batch)
    {
        var x = inputs[0];
        int steps = SequenceSteps(x);
        if (k is not int chunk || steps <= chunk) return Step(inputs, y, sampleWeight, train: true, carry: false, epoch, batch);

        bool sequenceTargets = OutputShape.Length >= 2 && y.Rank >= 2 && y.Shape[1] == steps;
        ResetTransientStates();
        var totals = new BatchStats();
        try
        {
            for (int start = 0; start < steps; start += chunk)
            {
                int length = Math.Min(chunk, steps - start);
                var xc = SliceSteps(x, start, length);
                bool continuing = start > 0;
                // Per-step sample weights [N, T] go with their steps; per-sample ones [N] with every chunk.
                var chunkWeight = sampleWeight is { Rank: 2 } ? SliceSteps(sampleWeight, start, length) : sampleWeight;
                if (sequenceTargets) totals = totals.Merge(Step([xc], SliceSteps(y, start, length), chunkWeight, train: true, carry: true, epoch, batch, continuing));
                else if (start + length >= steps) totals = Step([xc], y, sampleWeight, train: true, carry: true, epoch, batch, continuing);
                else AdvanceStates(xc, continuing);
            }
        }
        finally { ResetTransientStates(); }
        return totals;
    }

    /// <summary>
    /// The timesteps of a batch of the model's input, which truncated BPTT cuts into chunks: axis 1 of a
    /// <c>[N, T, features…]</c> sequence, or of <c>[N, T]</c> token indices that feed an <see cref="Embedding"/>; 0 for
    /// an input that is not a sequence.
    /// </summary>
    private int SequenceSteps(Tensor x)
    {
        if (x.Rank >= 3) return x.Shape[1];
        bool tokens = x.Rank == 2 && _calls.Any(c => c.Layer is Embedding && c.Inputs.Any(i => ReferenceEquals(i, _inputs[0])));
        return tokens ? x.Shape[1] : 0;
    }

    /// <summary>Forward (and in training, backward and update) over one batch or chunk.</summary>
    private BatchStats Step(Tensor[] inputs, Tensor y, Tensor? sampleWeight, bool train, bool carry, int epoch = 0, int batch = 0, bool continuing = false)
    {
        var backend = Backend!;
        using var graph = new Graph(backend, training: train);
        var output = RecordForward(graph, inputs, carry, continuing)[0];
        var targets = graph.Own(Loss!.PrepareTargets(backend, y, output.Shape));
        int rows = output.Value.Rows;
        DeviceTensor? mask = output.Shape.Length == 3 && output.Mask is { } m ? backend.View(m, [m.Length]) : null;
        // The rows the loss averages over: the unmasked ones. Sample weights scale each row's share (masked rows keep 0).
        double count = mask is null ? rows : backend.Sum(mask);
        var weights = mask;
        if (sampleWeight is not null)
        {
            weights = graph.Own(backend.Upload(SampleWeights.PerRow(sampleWeight, rows), [rows]));
            if (mask is not null) backend.Multiply(mask, weights, weights);
        }
        // Before any update: a failed call leaves the model as it was.
        if (_regressionMetrics.Count > 0 && y.Length != output.Value.Length)
            throw new ArgumentException($"Model '{Name}': metric '{_regressionMetrics[0].Name}' compares the output {ShapeUtil.Format(output.Shape)} with targets of that shape, " +
                                        $"got {ShapeUtil.Format(y.Shape)}.");
        double loss = Loss.Compute(graph, output, targets, weights, count);
        if (!double.IsFinite(loss))
            throw new TrainingDivergedException($"Model '{Name}': the loss became {loss} in epoch {epoch + 1}, batch {batch + 1}; the weights were not updated. Lower the learning rate, clip gradients (clipNorm), or check the data for extreme values.");
        if (train)
        {
            graph.Backward();
            Optimizer!.Apply(Parameters);
        }
        double correct = TracksAccuracy ? backend.CountArgMaxMatches(output.Value, targets, mask) : 0;
        return new BatchStats(loss * count, count, correct, RegressionSums(output, y, mask));
    }

    /// <summary>Each regression metric's sum over the batch's unmasked rows, or null when none is compiled.</summary>
    private double[]? RegressionSums(Node output, Tensor y, DeviceTensor? mask)
    {
        if (_regressionMetrics.Count == 0) return null;
        var backend = Backend!;
        var predictions = new float[output.Value.Length];
        backend.Download(output.Value, predictions);
        float[]? rows = null;
        if (mask is not null)
        {
            rows = new float[mask.Length];
            backend.Download(mask, rows);
        }
        return [.. _regressionMetrics.Select(m => m.Sum(predictions, y.Data, rows, output.Value.Columns))];
    }

    private void AdvanceStates(Tensor x, bool continuing)
    {
        using var graph = new Graph(Backend!, training: false);
        RecordForward(graph, [x], carry: true, continuing);
    }

    /// <summary>Uploads a batch (one tensor per model input) and records the model's forward pass on <paramref name="graph"/>; returns every output.</summary>
    private Node[] RecordForward(Graph graph, Tensor[] inputs, bool carry, bool continuing = false)
    {
        var nodes = inputs.Select(t => graph.Constant(graph.Backend.Upload(t.Data, t.Shape), owned: true)).ToArray();
        var context = new LayerContext
        {
            Training = graph.Training, Random = _dropoutRandom, CarryStates = carry, ContinuesSequence = continuing,
            HostInputs = LayerContext.HostInputsOf(nodes, inputs),
        };
        return Forward(graph, nodes, context);
    }

    /// <summary>Rows [start, start + count) of every input.</summary>
    private static Tensor[] SliceRows(Tensor[] inputs, int start, int count) => [.. inputs.Select(t => t.SliceRows(start, count))];

    private void ResetTransientStates()
    {
        foreach (var layer in Layers)
            if (!layer.IsStateful) layer.ResetStates();
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

    /// <summary>
    /// The batch size to run with: the caller's, else the model's fixed one (declared with <c>batchSize</c> on the first
    /// layer or the <see cref="Input"/>, as stateful models need), else Keras's 32. A model with stateful layers runs only
    /// at its fixed size: they carry state per batch row.
    /// </summary>
    private int BatchSizeFor(int? batchSize)
    {
        int? fixedBatch = _inputs.Select(i => i.BatchSize).FirstOrDefault(b => b is not null);
        if (batchSize is not int size) return fixedBatch ?? 32;
        if (fixedBatch is int f && size != f && FirstStatefulLayer is { } stateful)
            throw new ArgumentException($"Model '{Name}' has a fixed batch size of {f}, and its layer '{stateful.Name}' ({stateful.TypeName}) is stateful " +
                                        $"(it carries state per batch row), so it runs batches of {f} only; got batchSize {size}. Leave batchSize out to use {f}.", nameof(batchSize));
        return size;
    }

    /// <summary>Builds the model from the data if needed, then checks inputs and targets (see <see cref="CheckInputs"/>).</summary>
    private void CheckData(Tensor[] inputs, Tensor y, string xName, string yName)
    {
        CheckInputs(inputs, xName);
        var x = inputs[0];
        string samplesOf = inputs.Length == 1 ? xName : $"{xName}[0]";
        if (y.Rank == 0 || y.Shape[0] != x.Shape[0])
            throw new ArgumentException($"Model '{Name}': {samplesOf} has {x.Shape[0]} samples but {yName} has {(y.Rank == 0 ? 0 : y.Shape[0])} (shape {ShapeUtil.Format(y.Shape)}).", yName);
        CheckTargetShape(inputs, y, yName);
        Loss!.Validate(y, OutputShape[^1]);
    }

    /// <summary>
    /// Builds the model from the first input if needed, then checks one tensor per model input, each against its
    /// input's shape, all with the same number of samples.
    /// </summary>
    private void CheckInputs(Tensor[] inputs, string xName)
    {
        if (inputs.Length == 0) throw new ArgumentException($"Model '{Name}' needs at least one input tensor.", xName);
        foreach (var t in inputs) ArgumentNullException.ThrowIfNull(t, xName);
        EnsureReady(inputs[0]);
        if (inputs.Length != _inputs.Length)
        {
            string declared = string.Join(", ", _inputs.Select(i => $"{i.Name} {ShapeUtil.Format([-1, .. i.Shape])}"));
            throw new ArgumentException($"Model '{Name}' has {_inputs.Length} input{(_inputs.Length == 1 ? "" : "s")} ({declared}), got {inputs.Length} " +
                                        $"tensor{(inputs.Length == 1 ? "" : "s")}" + (_inputs.Length > 1 ? "; pass one per input, in that order, as a Tensor[]." : "."), xName);
        }
        for (int i = 0; i < inputs.Length; i++)
        {
            string name = inputs.Length == 1 ? xName : $"{xName}[{i}]";
            CheckInput(inputs[i], i, name);
            if (inputs[i].Shape[0] != inputs[0].Shape[0])
                throw new ArgumentException($"Model '{Name}': {xName}[0] has {inputs[0].Shape[0]} samples but {name} has {inputs[i].Shape[0]}.", xName);
        }
    }

    /// <summary>
    /// Checks the targets against the output before any batch runs, so the error describes the user's data: one class
    /// index per output row for sparse losses, the output's own shape otherwise. Output dimensions still unknown (other
    /// than a sequence output's length, which is the input's) are left to the per-batch check.
    /// </summary>
    private void CheckTargetShape(Tensor[] inputs, Tensor y, string yName)
    {
        var x = inputs[0];
        int[] output = OutputShape, known = [.. output];
        // A sequence output of unknown length is as long as the input (which input, when there are several, is not known here).
        if (known.Length > 1 && known[0] < 0 && x.Rank > 1 && inputs.Length == 1) known[0] = x.Shape[1];
        if (known.Any(d => d < 0)) return;
        int n = x.Shape[0];
        bool sparse = Loss!.TakesClassIndices;
        int perSample = sparse ? ShapeUtil.Rows(known) : ShapeUtil.Size(known);
        if (sparse ? y.Length == (long)perSample * n : FitsOutput(y.Shape, [n, .. known])) return;
        string expected = sparse
            ? $"{perSample} integer class label{(perSample == 1 ? "" : "s")} per sample (one per output row, {n * perSample} in all)"
            : $"targets shaped like the output, {ShapeUtil.Format([n, .. known])}";
        string hint = sparse && y.Length == (long)ShapeUtil.Size(known) * n ? "; one-hot targets go with categorical_crossentropy" : "";
        throw new ArgumentException($"Model '{Name}': loss '{Loss.Name}' needs {expected} for output {ShapeUtil.Format([-1, .. output])}, " +
                                    $"got {yName} of shape {ShapeUtil.Format(y.Shape)}{hint}.", yName);
    }

    /// <summary>
    /// Whether dense targets have the output's shape, as Keras requires; a trailing axis of 1 may be left out (targets
    /// <c>[N]</c> for a sigmoid output <c>[N, 1]</c>), as Keras accepts.
    /// </summary>
    private static bool FitsOutput(int[] targets, int[] output) =>
        ShapeUtil.Equal(targets, output) || (output[^1] == 1 && ShapeUtil.Equal(targets, output[..^1]));

    private void CheckInput(Tensor x, int index, string argument)
    {
        var expected = _inputs[index].Shape;
        var first = _calls.FirstOrDefault(c => c.Inputs.Contains(_inputs[index]))?.Layer;
        string layer = first is null ? $"model '{Name}'" : $"layer '{first.Name}' ({first.TypeName})";
        if (x.Rank == expected.Length + 1 && x.Shape[0] == 0)
            throw new ArgumentException($"Input of {layer}: {argument} has no samples (shape {ShapeUtil.Format(x.Shape)}).", argument);
        bool ok = x.Rank == expected.Length + 1;
        for (int d = 0; ok && d < expected.Length; d++) ok = expected[d] < 0 || expected[d] == x.Shape[d + 1];
        if (!ok)
            throw new ArgumentException($"Input of {layer}: expected {argument} of shape {ShapeUtil.Format([-1, .. expected])}, got {ShapeUtil.Format(x.Shape)}.", argument);
        if (x.Length == 0)
            throw new ArgumentException($"Input of {layer}: {argument} of shape {ShapeUtil.Format(x.Shape)} is empty; " +
                                        (expected.Length >= 1 && expected[0] < 0 ? "a sequence needs at least one step." : "every axis needs at least one entry."), argument);
        if (_inputs[index].BatchSize is int fixedBatch && x.Shape[0] % fixedBatch != 0)
            throw new ArgumentException($"Input of {layer}: the model has a fixed batch size of {fixedBatch}, but {argument} has {x.Shape[0]} samples, not a multiple of it.", argument);
        for (int i = 0; i < x.Length; i++)
            if (!float.IsFinite(x.Data[i]))
                throw new ArgumentException($"Input of {layer}: {argument} holds {x.Data[i]} at flat position {i}.", argument);
        first?.ValidateInput(x);
    }

    /// <summary>A batch's sums: loss times the rows it averaged over, those rows, correct predictions, each regression metric's sum.</summary>
    private readonly record struct BatchStats(double WeightedLoss, double Weight, double Correct, double[]? Regression = null)
    {
        public BatchStats Merge(BatchStats o) => new(WeightedLoss + o.WeightedLoss, Weight + o.Weight, Correct + o.Correct,
            Regression is null ? o.Regression : o.Regression is null ? Regression : [.. Regression.Zip(o.Regression, (a, b) => a + b)]);
    }

    private sealed class Totals
    {
        private BatchStats _sum;

        public void Add(BatchStats s) => _sum = _sum.Merge(s);

        /// <summary>The means so far, keyed "loss" then the model's metrics in their compiled order.</summary>
        public Dictionary<string, double> Logs(Model model)
        {
            double Mean(double sum) => _sum.Weight == 0 ? 0 : sum / _sum.Weight;
            var logs = new Dictionary<string, double> { ["loss"] = Mean(_sum.WeightedLoss) };
            foreach (string name in model._metricNames)
            {
                int regression = model._regressionMetrics.FindIndex(m => m.Name == name);
                logs[name] = Mean(regression < 0 ? _sum.Correct : _sum.Regression?[regression] ?? 0);
            }
            return logs;
        }
    }
}
