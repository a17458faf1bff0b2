namespace RnnGpu.Datasets;

/// <summary>
/// Thrown when a dataset package cannot be fetched or verified; the message says how to get it
/// (install Node.js/npm, or place the tarball by hand).
/// </summary>
public sealed class DatasetUnavailableException : Exception
{
    /// <summary>Creates the exception with a message that explains the remedy.</summary>
    public DatasetUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public DatasetUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}
