namespace RnnGpu.Datasets;

/// <summary>Keras's <c>pad_sequences</c>: makes variable-length index sequences rectangular.</summary>
public static class SequencePadding
{
    /// <summary>
    /// Returns N rows of length <paramref name="maxlen"/> (or the longest sequence's length when null).
    /// Longer sequences lose elements at the <paramref name="truncating"/> end (Pre keeps the last
    /// <c>maxlen</c>, Post the first); shorter ones get <paramref name="value"/> added at the
    /// <paramref name="padding"/> end. Defaults are Keras's: pre, pre, 0.
    /// </summary>
    public static int[][] PadSequences(
        IReadOnlyList<int[]> sequences,
        int? maxlen = null,
        PaddingSide padding = PaddingSide.Pre,
        PaddingSide truncating = PaddingSide.Pre,
        int value = 0)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int length = maxlen ?? (sequences.Count == 0 ? 0 : sequences.Max(s => s.Length));
        ArgumentOutOfRangeException.ThrowIfNegative(length);

        var result = new int[sequences.Count][];
        for (int n = 0; n < sequences.Count; n++)
        {
            int[] source = sequences[n];
            ReadOnlySpan<int> kept = source.Length <= length
                ? source
                : truncating == PaddingSide.Pre ? source.AsSpan(source.Length - length) : source.AsSpan(0, length);
            var row = new int[length];
            row.AsSpan().Fill(value);
            kept.CopyTo(padding == PaddingSide.Pre ? row.AsSpan(length - kept.Length) : row.AsSpan());
            result[n] = row;
        }
        return result;
    }

    /// <summary>The padded rows as a float tensor <c>[N, maxlen]</c>, the usual input of an embedding layer.</summary>
    public static Tensor ToTensor(int[][] rows)
    {
        int width = rows.Length == 0 ? 0 : rows[0].Length;
        var data = new float[rows.Length * width];
        for (int n = 0; n < rows.Length; n++)
        {
            if (rows[n].Length != width)
                throw new ArgumentException($"Row {n} has length {rows[n].Length}, expected {width}.", nameof(rows));
            for (int t = 0; t < width; t++)
                data[n * width + t] = rows[n][t];
        }
        return new Tensor(data, rows.Length, width);
    }
}
