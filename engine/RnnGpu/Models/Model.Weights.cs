using RnnGpu.IO;
using RnnGpu.Optimizers;

namespace RnnGpu;

public partial class Model
{
    /// <summary>Keras <c>get_weights</c>: host copies of every weight, layer by layer, each layer's in declaration order.</summary>
    public IReadOnlyList<Tensor> GetWeights()
    {
        RequireBackend();
        return Weights.Select(w => w.Parameter.ToHost()).ToList();
    }

    /// <summary>
    /// Keras <c>set_weights</c>: replaces every weight, in the order of <see cref="GetWeights"/>. All counts and shapes
    /// are checked before anything changes, so a mismatch leaves the model as it was. Works across backends and
    /// between models of the same architecture (e.g. a stateful batch-1 prediction model taking over trained weights).
    /// As in Keras, the optimizer's state (momenta, Adam's moments and step count) is kept.
    /// </summary>
    public void SetWeights(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        RequireBackend();
        var targets = Weights;
        if (weights.Count != targets.Count)
            throw new ArgumentException($"Model '{Name}' has {targets.Count} weights ({string.Join(", ", targets.Select(t => t.Path))}), got {weights.Count} tensors.", nameof(weights));
        for (int i = 0; i < targets.Count; i++)
            if (weights[i] is null)
                throw new ArgumentException($"Weight {i} '{targets[i].Path}' is null.", nameof(weights));
            else if (!ShapeUtil.Equal(weights[i].Shape, targets[i].Shape))
                throw new ArgumentException($"Weight {i} '{targets[i].Path}' has shape {ShapeUtil.Format(targets[i].Shape)}, got {ShapeUtil.Format(weights[i].Shape)}.", nameof(weights));
        for (int i = 0; i < targets.Count; i++) targets[i].Assign(weights[i]);
    }

    /// <summary>
    /// Writes every weight to a safetensors file (names are the Keras paths such as <c>lstm/kernel</c>, float32,
    /// readable by other tools). The write is atomic: a temporary file is renamed over the target, so an existing
    /// file is never left half-written.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="includeOptimizer">
    /// Also write the optimizer's state, as Keras 3's <c>save_weights</c> does for a compiled model: its update count
    /// and learning rate (in the file's metadata) and its slot tensors (<c>optimizer/lstm/kernel/momentum</c>, …), so
    /// that training resumed after <see cref="LoadWeights"/> continues where it stopped (Adam's moments and bias
    /// correction, a reduced learning rate) instead of starting the optimizer afresh: bit for bit on the float32
    /// backends with <c>shuffle: false</c> and no dropout (the random draws of shuffling and dropout are not saved; the
    /// file holds float32, so <see cref="Device.CpuFloat64"/>'s values are rounded).
    /// </param>
    public void SaveWeights(string path, bool includeOptimizer = false)
    {
        RequireBackend();
        var weights = Weights;
        var tensors = weights.Select(w => new KeyValuePair<string, Tensor>(w.Path, w.Parameter.ToHost())).ToList();
        var metadata = new Dictionary<string, string> { ["format"] = "rnngpu", ["model"] = Name };
        if (includeOptimizer)
        {
            var optimizer = Optimizer ?? throw new InvalidOperationException($"Model '{Name}' has no optimizer state to save: it is not compiled. Save without includeOptimizer, or call Compile first.");
            OptimizerState.Write(optimizer, weights, tensors, metadata);
        }
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/>. Every name and shape is checked before anything changes: a file
    /// with missing, extra or misshapen tensors, or a corrupt file, gives an error naming the problem and leaves the
    /// model unchanged.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="restoreOptimizer">
    /// When the file holds optimizer state (<c>SaveWeights(path, includeOptimizer: true)</c>) and the model is compiled,
    /// restore it too: the update count, the learning rate and the slots; the optimizer must be of the kind that saved
    /// it. False loads the layers' weights only (to fine-tune with another optimizer, say). A file without optimizer
    /// state leaves the optimizer as it is, as <see cref="SetWeights"/> does.
    /// </param>
    public void LoadWeights(string path, bool restoreOptimizer = true)
    {
        RequireBackend();
        var content = SafeTensorsFile.Read(path);
        var targets = Weights;
        var values = new List<Tensor>(targets.Count);
        foreach (var w in targets)
        {
            if (!content.TryGetTensor(w.Path, out var t))
                throw new InvalidDataException($"Weight file '{path}' has no tensor '{w.Path}' (it holds: {string.Join(", ", content.Tensors.Select(kv => kv.Key).Where(k => !OptimizerState.Holds(k, targets)))}).");
            if (!ShapeUtil.Equal(t.Shape, w.Shape))
                throw new InvalidDataException($"Weight file '{path}': tensor '{w.Path}' has shape {ShapeUtil.Format(t.Shape)}, the model expects {ShapeUtil.Format(w.Shape)}.");
            values.Add(t);
        }
        var extra = content.Tensors.Select(kv => kv.Key).Where(k => !OptimizerState.Holds(k, targets)).Except(targets.Select(w => w.Path)).ToList();
        if (extra.Count > 0)
            throw new InvalidDataException($"Weight file '{path}' has tensors model '{Name}' does not: {string.Join(", ", extra)}.");
        var state = restoreOptimizer && Optimizer is { } optimizer ? OptimizerState.Read(path, content, optimizer, targets) : null;
        SetWeights(values);
        state?.Apply();
    }

    private void RequireBackend()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsBuilt)
            throw new InvalidOperationException($"Model '{Name}' has no weights yet: its input shape is unknown, so its layers are not built. Give the first layer an inputShape, or fit or predict once.");
        if (Backend is null) throw new InvalidOperationException($"Model '{Name}' has no weights yet: call Compile or Build first.");
    }
}
