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
    /// </summary>
    public void SetWeights(IReadOnlyList<Tensor> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        RequireBackend();
        var targets = Weights;
        if (weights.Count != targets.Count)
            throw new ArgumentException($"Model '{Name}' has {targets.Count} weights ({string.Join(", ", targets.Select(t => t.Path))}), got {weights.Count} tensors.", nameof(weights));
        for (int i = 0; i < targets.Count; i++)
            if (!ShapeUtil.Equal(weights[i].Shape, targets[i].Shape))
                throw new ArgumentException($"Weight {i} '{targets[i].Path}' has shape {ShapeUtil.Format(targets[i].Shape)}, got {ShapeUtil.Format(weights[i].Shape)}.", nameof(weights));
        for (int i = 0; i < targets.Count; i++) targets[i].Assign(weights[i]);
        Optimizer?.Reset();
    }

    private void RequireBackend()
    {
        if (Backend is null) throw new InvalidOperationException($"Model '{Name}' has no weights yet: call Compile or Build first.");
    }
}
