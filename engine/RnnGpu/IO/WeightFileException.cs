namespace RnnGpu.IO;

/// <summary>A weight file is malformed or unsupported; the message names the file and the exact problem.</summary>
public sealed class WeightFileException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/> and a description of what is wrong with it.</summary>
    public WeightFileException(string path, string problem, Exception? innerException = null)
        : base($"Invalid weight file '{path}': {problem}", innerException)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The file that failed to load.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
