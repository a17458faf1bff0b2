namespace RnnGpu.Datasets;

/// <summary>One-hot encoding of integer class indices (Keras's <c>to_categorical</c>).</summary>
public static class OneHot
{
    /// <summary>Encodes N labels as a tensor <c>[N, classCount]</c> of zeros with a single 1 per row.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside [0, classCount).</exception>
    public static Tensor Encode(ReadOnlySpan<int> labels, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var data = new float[labels.Length * classCount];
        for (int i = 0; i < labels.Length; i++)
            data[i * classCount + CheckedLabel(labels[i], classCount)] = 1f;
        return new Tensor(data, labels.Length, classCount);
    }

    /// <summary>
    /// Encodes N equal-length index sequences of length L as a tensor <c>[N, L, classCount]</c>
    /// (the input layout of a character-level recurrent network).
    /// </summary>
    /// <exception cref="ArgumentException">The sequences differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, classCount).</exception>
    public static Tensor EncodeSequences(IReadOnlyList<int[]> sequences, int classCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        int length = sequences.Count == 0 ? 0 : sequences[0].Length;
        var data = new float[sequences.Count * length * classCount];
        for (int n = 0; n < sequences.Count; n++)
        {
            if (sequences[n].Length != length)
                throw new ArgumentException($"Sequence {n} has length {sequences[n].Length}, expected {length}.", nameof(sequences));
            for (int t = 0; t < length; t++)
                data[(n * length + t) * classCount + CheckedLabel(sequences[n][t], classCount)] = 1f;
        }
        return new Tensor(data, sequences.Count, length, classCount);
    }

    private static int CheckedLabel(int label, int classCount) =>
        (uint)label < (uint)classCount
            ? label
            : throw new ArgumentOutOfRangeException(nameof(label), $"Label {label} is outside [0, {classCount}).");
}
