namespace RnnGpu.Datasets;

/// <summary>A train/test pair of labelled image sets and the names of their classes.</summary>
/// <param name="Train">Training images and labels.</param>
/// <param name="Test">Test images and labels.</param>
/// <param name="ClassNames">Human-readable name of each class index.</param>
public sealed record ImageClassificationDataset(LabeledImages Train, LabeledImages Test, IReadOnlyList<string> ClassNames);
