namespace RnnGpu.Layers;

/// <summary>How <see cref="Bidirectional"/> combines the outputs of its two directions (Keras <c>merge_mode</c>).</summary>
public enum BidirectionalMergeMode
{
    /// <summary>Side by side along the feature axis (Keras <c>"concat"</c>, the default): twice the units.</summary>
    Concat,

    /// <summary>Element-wise sum (<c>"sum"</c>).</summary>
    Sum,

    /// <summary>Element-wise product (<c>"mul"</c>).</summary>
    Multiply,

    /// <summary>Element-wise mean (<c>"ave"</c>).</summary>
    Average,

    /// <summary>Not combined (Keras <c>None</c>): the layer has two outputs, forward then backward.</summary>
    None,
}
