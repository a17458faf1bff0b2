namespace RnnGpu;

/// <summary>Helpers for shapes given as <c>int[]</c> (row-major, last dimension fastest).</summary>
public static class ShapeUtil
{
    /// <summary>Number of elements of a shape (1 for a scalar).</summary>
    public static int Size(ReadOnlySpan<int> shape)
    {
        long size = shape.Contains(0) ? 0 : 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension {d} in shape {Format(shape)}.");
            size *= d;
            if (size > int.MaxValue) throw new ArgumentException($"Shape {Format(shape)} has more than {int.MaxValue} elements.");
        }
        return (int)size;
    }

    /// <summary>Formats a shape the way Keras prints it, e.g. <c>(None, 28, 30)</c> when nulls are given as -1.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i] < 0 ? "None" : shape[i].ToString();
        return shape.Length == 1 ? $"({parts[0]},)" : $"({string.Join(", ", parts)})";
    }

    /// <summary>Replaces a single -1 with the extent that makes the size equal to <paramref name="length"/>.</summary>
    public static int[] Resolve(int[] shape, int length)
    {
        var result = (int[])shape.Clone();
        int unknown = Array.IndexOf(result, -1);
        if (unknown >= 0 && Array.LastIndexOf(result, -1) != unknown)
            throw new ArgumentException($"Cannot reshape to {string.Join(", ", shape)}: only one dimension may be -1 (inferred).");
        if (unknown >= 0)
        {
            long known = 1;
            for (int i = 0; i < result.Length; i++) if (i != unknown) known *= result[i];
            if (known == 0 || length % known != 0)
                throw new ArgumentException($"Cannot reshape {length} elements to {Format(shape)}.");
            result[unknown] = (int)(length / known);
        }
        if (Size(result) != length) throw new ArgumentException($"Cannot reshape {length} elements to {Format(shape)}.");
        return result;
    }

    /// <summary>True when both shapes have the same rank and extents.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Product of all dimensions but the last (the row count of the matrix view).</summary>
    public static int Rows(ReadOnlySpan<int> shape) => shape.Length == 0 ? 1 : Size(shape[..^1]);

    /// <summary>The last dimension (the column count of the matrix view).</summary>
    public static int Columns(ReadOnlySpan<int> shape) => shape.Length == 0 ? 1 : shape[^1];
}
