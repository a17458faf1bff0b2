namespace RnnGpu.Datasets;

/// <summary>Fixed-length windows of a sequence and, for each, the item that follows it.</summary>
/// <param name="Windows">N windows, each of the same length L.</param>
/// <param name="NextItems">The item after each window, length N.</param>
public sealed record WindowedSequences<T>(T[][] Windows, T[] NextItems)
{
    /// <summary>Number of (window, next item) pairs.</summary>
    public int Count => NextItems.Length;
}
