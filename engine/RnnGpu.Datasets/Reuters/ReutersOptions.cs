namespace RnnGpu.Datasets;

/// <summary>
/// Options of <see cref="ReutersNewswires.Load"/>, named and defaulted as the arguments of Keras's
/// <c>reuters.load_data</c>.
/// </summary>
public sealed record ReutersOptions
{
    /// <summary>
    /// Keep only indices below this value (after the <see cref="IndexFrom"/> shift); others become
    /// <see cref="OovChar"/>. Null keeps every word (Keras would instead use the largest index, which
    /// turns that one rarest word into OOV; that quirk is not copied).
    /// </summary>
    public int? NumWords { get; init; }

    /// <summary>Indices below this value (after the shift) become <see cref="OovChar"/>, as in Keras (the start marker included).</summary>
    public int SkipTop { get; init; }

    /// <summary>Drop sequences whose length, start marker included, is not below this value (Keras keeps <c>len &lt; maxlen</c>). Null keeps all.</summary>
    public int? Maxlen { get; init; }

    /// <summary>Fraction of the shuffled sequences that forms the test set: the first <c>(int)(n × (1 − TestSplit))</c> are training data.</summary>
    public double TestSplit { get; init; } = 0.2;

    /// <summary>Seed of the <see cref="Random"/> that shuffles the documents.</summary>
    public int Seed { get; init; } = 113;

    /// <summary>Index put at the start of every sequence; null puts none.</summary>
    public int? StartChar { get; init; } = 1;

    /// <summary>Index that replaces words cut by <see cref="NumWords"/>/<see cref="SkipTop"/>; null drops those words instead.</summary>
    public int? OovChar { get; init; } = 2;

    /// <summary>Offset added to every word rank, leaving 0 (padding), 1 (start) and 2 (OOV) free by default.</summary>
    public int IndexFrom { get; init; } = 3;
}
