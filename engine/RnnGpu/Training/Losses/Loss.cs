using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Losses;

/// <summary>
/// A training objective. It turns host labels into backend targets (validating them), computes the mean loss of a
/// batch and seeds the gradient into the graph. Losses over sequences <c>[B, T, C]</c> are averaged over the
/// unmasked timesteps.
/// </summary>
public abstract class Loss
{
    /// <summary>Keras name, e.g. <c>categorical_crossentropy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Converts labels for a batch to backend targets shaped for the output <c>[rows, columns]</c>, or throws naming what is wrong.</summary>
    internal abstract DeviceTensor PrepareTargets(IBackend backend, Tensor labels, int[] outputShape);

    /// <summary>True when the targets are class indices, one per output row, rather than values shaped like the output.</summary>
    internal virtual bool TakesClassIndices => false;

    /// <summary>Checks a whole label tensor once before training, so errors name positions in the user's data, not in a shuffled batch.</summary>
    internal virtual void Validate(Tensor labels, int classes) => CheckFinite(labels, Name);

    /// <summary>Mean loss of the batch; in training also writes the gradient into the graph.</summary>
    internal abstract double Compute(Graph graph, Node output, DeviceTensor targets, DeviceTensor? rowWeights, double? rowCount = null);

    /// <summary>Looks a loss up by its Keras name.</summary>
    public static Loss FromName(string name) => name.ToLowerInvariant() switch
    {
        "categorical_crossentropy" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(),
        "binary_crossentropy" => new BinaryCrossentropy(),
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        _ => throw new ArgumentException($"Unknown loss '{name}'. Known: categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error.", nameof(name)),
    };

    /// <summary>Dense float targets of exactly the output's size (values were checked once by <see cref="Validate"/>).</summary>
    private protected static DeviceTensor DenseTargets(IBackend backend, Tensor labels, int[] outputShape, string lossName)
    {
        int size = ShapeUtil.Size(outputShape);
        if (labels.Length != size)
            throw new ArgumentException($"Loss '{lossName}' needs targets shaped like the model output {ShapeUtil.Format(outputShape)}, got {ShapeUtil.Format(labels.Shape)}.");
        return backend.Upload(labels.Data, outputShape);
    }

    /// <summary>Throws when a label is NaN or infinite.</summary>
    private protected static void CheckFinite(Tensor labels, string lossName)
    {
        for (int i = 0; i < labels.Length; i++)
            if (!float.IsFinite(labels.Data[i])) throw new ArgumentException($"Loss '{lossName}': target {i} is {labels.Data[i]}.");
    }

    /// <summary>
    /// The logits under a softmax/sigmoid output node, so the loss can be computed stably in one fused op. Reshapes
    /// (a <c>TimeDistributed</c> head) are looked through: the losses work on rows, which a reshape does not change.
    /// </summary>
    private protected static Node? Under(Node output, string op)
    {
        var node = output;
        while (node.Op == "reshape" && node.Inputs.Count == 1) node = node.Inputs[0];
        return node.Op == op && node.Inputs.Count == 1 && node.Inputs[0].Value.Columns == output.Value.Columns ? node.Inputs[0] : null;
    }
}
