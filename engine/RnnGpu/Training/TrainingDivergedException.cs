namespace RnnGpu.Training;

/// <summary>Thrown when the loss becomes NaN or infinite during training; the weights of the last good step are kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
