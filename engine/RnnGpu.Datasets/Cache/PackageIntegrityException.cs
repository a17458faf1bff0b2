namespace RnnGpu.Datasets;

/// <summary>
/// Thrown when a package tarball's SHA-512 differs from the pinned integrity string. Unlike
/// <see cref="DatasetUnavailableException"/> this is never a connectivity problem: the bytes are wrong.
/// </summary>
public sealed class PackageIntegrityException : Exception
{
    /// <summary>Creates the exception with a message naming the package, file and expected hash.</summary>
    public PackageIntegrityException(string message) : base(message) { }
}
