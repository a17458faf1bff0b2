namespace RnnGpu.Datasets;

/// <summary>
/// Next-item prediction pairs cut from one long sequence, as in the Keras character-level text
/// generation tutorial: window <c>i</c> is <c>items[i·step .. i·step + length)</c> and its target is
/// the item right after it.
/// </summary>
public static class SlidingWindows
{
    /// <summary>Builds every complete (window, next item) pair, starting at 0 and advancing by <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> or <paramref name="step"/> is not positive.</exception>
    public static WindowedSequences<T> Build<T>(IReadOnlyList<T> items, int length, int step = 1)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);

        var windows = new List<T[]>();
        var next = new List<T>();
        for (int start = 0; start + length < items.Count; start += step)
        {
            var window = new T[length];
            for (int t = 0; t < length; t++)
                window[t] = items[start + t];
            windows.Add(window);
            next.Add(items[start + length]);
        }
        return new WindowedSequences<T>(windows.ToArray(), next.ToArray());
    }

    /// <summary>Character windows of a text: <see cref="Build{T}"/> over its characters.</summary>
    public static WindowedSequences<char> CharWindows(string text, int length, int step = 1) =>
        Build(text.ToCharArray(), length, step);
}
