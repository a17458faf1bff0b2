using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>What a layer needs to know about the pass it is recording.</summary>
internal sealed class LayerContext
{
    /// <summary>Training mode (dropout active).</summary>
    public required bool Training { get; init; }

    /// <summary>Source of dropout masks, seeded by the model.</summary>
    public required Random Random { get; init; }

    /// <summary>
    /// Truncated BPTT: recurrent layers start from the state the previous chunk left and keep their final state
    /// for the next chunk (without a gradient path between chunks). Stateful layers always carry.
    /// </summary>
    public bool CarryStates { get; init; }

    /// <summary>
    /// A truncated-BPTT chunk after the first of its batch: the carried state continues the same sequences (as opposed
    /// to a stateful layer's next batch, a new call in Keras's terms).
    /// </summary>
    public bool ContinuesSequence { get; init; }

    /// <summary>
    /// Which call of the layer in the model is being recorded (0 for its first; a layer called twice has a second),
    /// which keys the states it carries.
    /// </summary>
    public int CallIndex { get; set; }

    /// <summary>
    /// Host copies of the model's input batches, by the node each was uploaded to, so an embedding fed straight from a
    /// model input reads its indices without a device round trip (and, with several inputs, from its own input).
    /// </summary>
    public required IReadOnlyDictionary<Node, Tensor> HostInputs { get; init; }

    /// <summary>The host copy of <paramref name="node"/> when it is a model input, else null.</summary>
    public Tensor? HostValueOf(Node node) => HostInputs.GetValueOrDefault(node);

    /// <summary>The lookup for <see cref="HostInputs"/>: each model input's node with its host batch.</summary>
    public static IReadOnlyDictionary<Node, Tensor> HostInputsOf(Node[] nodes, Tensor[] batches)
    {
        var map = new Dictionary<Node, Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < nodes.Length; i++) map[nodes[i]] = batches[i];
        return map;
    }
}
