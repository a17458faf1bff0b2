namespace RnnGpu.Layers;

/// <summary>
/// What <see cref="Bidirectional"/> needs to know of the layer it wraps: the fused layers (<see cref="RecurrentLayer"/>)
/// and <see cref="Rnn"/> over a custom cell.
/// </summary>
internal interface IRecurrentLayer
{
    /// <summary>Width of the output and of every state.</summary>
    int Units { get; }

    /// <summary>Number of state tensors (2 for an LSTM).</summary>
    int StateCount { get; }

    /// <summary>Whether every step's output is returned.</summary>
    bool ReturnSequences { get; }

    /// <summary>Whether the final states are returned too.</summary>
    bool ReturnState { get; }

    /// <summary>Whether sequences are read from their last step.</summary>
    bool GoBackwards { get; }

    /// <summary>Whether the state is carried across batches.</summary>
    bool Stateful { get; }
}
