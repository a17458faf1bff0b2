namespace RnnGpu.Training;

/// <summary>Metrics computed on the host from predictions.</summary>
public static class Metrics
{
    /// <summary>Fraction of positions where the predicted class equals the actual class.</summary>
    public static double Accuracy(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        if (actual.Length != predicted.Length) throw new ArgumentException($"Accuracy: {actual.Length} labels but {predicted.Length} predictions.");
        if (actual.Length == 0) return 0;
        int hits = 0;
        for (int i = 0; i < actual.Length; i++) if (actual[i] == predicted[i]) hits++;
        return (double)hits / actual.Length;
    }

    /// <summary>Confusion matrix: <c>[actual, predicted]</c> counts.</summary>
    public static int[,] ConfusionMatrix(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classes)
    {
        if (actual.Length != predicted.Length) throw new ArgumentException($"ConfusionMatrix: {actual.Length} labels but {predicted.Length} predictions.");
        var m = new int[classes, classes];
        for (int i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classes || (uint)predicted[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(actual), $"Position {i}: class {actual[i]} or {predicted[i]} is outside [0, {classes}).");
            m[actual[i], predicted[i]]++;
        }
        return m;
    }

    /// <summary>Formats a confusion matrix as an aligned text table with optional class names.</summary>
    public static string FormatConfusionMatrix(int[,] matrix, IReadOnlyList<string>? names = null)
    {
        int n = matrix.GetLength(0);
        var labels = Enumerable.Range(0, n).Select(i => names is not null && i < names.Count ? names[i] : i.ToString()).ToArray();
        int labelWidth = Math.Max(6, labels.Max(l => l.Length));
        int cell = Math.Max(5, matrix.Cast<int>().Max().ToString().Length + 1);
        var sb = new System.Text.StringBuilder();
        sb.Append("actual \\ predicted".PadRight(labelWidth + 2)).AppendLine();
        sb.Append(new string(' ', labelWidth + 2));
        for (int j = 0; j < n; j++) sb.Append(j.ToString().PadLeft(cell));
        sb.AppendLine();
        for (int i = 0; i < n; i++)
        {
            sb.Append(labels[i].PadRight(labelWidth)).Append("  ");
            for (int j = 0; j < n; j++) sb.Append(matrix[i, j].ToString().PadLeft(cell));
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
