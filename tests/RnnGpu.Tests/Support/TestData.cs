namespace RnnGpu.Tests.Support;

/// <summary>Small random tensors and one-hot labels for tests.</summary>
internal static class TestData
{
    public static Tensor Uniform(Random random, double scale, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t.Data[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return t;
    }

    public static Tensor OneHot(IReadOnlyList<int> labels, int classes, params int[] leadingShape)
    {
        var t = new Tensor([.. leadingShape, classes]);
        for (int i = 0; i < labels.Count; i++) t.Data[i * classes + labels[i]] = 1;
        return t;
    }

    public static Tensor Labels(IReadOnlyList<int> labels, params int[] shape) => new([.. labels.Select(l => (float)l)], shape);
}
