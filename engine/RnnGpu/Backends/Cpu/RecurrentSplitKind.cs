namespace RnnGpu.Backends.Cpu;

/// <summary>How a CPU recurrent layer call shares its time loop among threads.</summary>
internal enum RecurrentSplitKind
{
    /// <summary>By blocks of batch rows (<see cref="RecurrentBatchSplit"/>).</summary>
    Batch,

    /// <summary>By blocks of hidden units, with a barrier per step (<see cref="RecurrentUnitSplit"/>).</summary>
    Units,
}
