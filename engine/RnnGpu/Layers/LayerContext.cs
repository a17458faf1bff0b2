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

    /// <summary>Host copy of the model's input batch, so an embedding can read indices without a device round trip.</summary>
    public Tensor? HostInput { get; init; }
}
