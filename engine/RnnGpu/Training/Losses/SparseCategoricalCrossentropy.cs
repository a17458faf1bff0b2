using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Losses;

/// <summary>Keras <c>sparse_categorical_crossentropy</c>: integer class labels, one per output row (per timestep for sequence outputs).</summary>
public sealed class SparseCategoricalCrossentropy(bool fromLogits = false) : Loss
{
    /// <summary>Whether the model output is logits rather than probabilities.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <inheritdoc />
    public override string Name => "sparse_categorical_crossentropy";

    internal override bool TakesClassIndices => true;

    internal override void Validate(Tensor labels, int classes)
    {
        for (int i = 0; i < labels.Length; i++) CheckLabel(labels.Data[i], i, classes);
    }

    private void CheckLabel(float v, int position, int classes)
    {
        if (!(v >= 0 && v < classes) || v != MathF.Floor(v))
            throw new ArgumentOutOfRangeException("labels", v, $"Loss '{Name}': label {position} is {v}, expected an integer class in [0, {classes}).");
    }

    internal override DeviceTensor PrepareTargets(IBackend backend, Tensor labels, int[] outputShape)
    {
        int classes = outputShape[^1], rows = ShapeUtil.Rows(outputShape);
        if (labels.Length != rows)
            throw new ArgumentException($"Loss '{Name}' needs one integer label per output row ({rows} for output {ShapeUtil.Format(outputShape)}), got labels of shape {ShapeUtil.Format(labels.Shape)}.");
        var indices = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            CheckLabel(labels.Data[i], i, classes);
            indices[i] = (int)labels.Data[i];
        }
        return backend.UploadIndices(indices, [rows]);
    }

    internal override double Compute(Graph graph, Node output, DeviceTensor targets, DeviceTensor? rowWeights, double? rowCount = null) =>
        graph.SoftmaxCrossEntropy(CategoricalCrossentropy.Logits(output, Name, FromLogits), targets, rowWeights, rowCount);
}
