namespace RnnGpu.Datasets;

/// <summary>Images with one integer class label each.</summary>
/// <param name="Images">Pixels as a tensor of shape <c>[N, height, width]</c>, values in [0, 1].</param>
/// <param name="Labels">Class index of each image, length N, values in [0, classCount).</param>
public sealed record LabeledImages(Tensor Images, int[] Labels)
{
    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;
}
