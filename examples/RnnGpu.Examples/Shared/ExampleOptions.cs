using RnnGpu.Backends;

namespace RnnGpu.Examples.Shared;

/// <summary>The settings every example takes from the command line (or from a test).</summary>
public sealed record ExampleOptions
{
    /// <summary>Where the models run.</summary>
    public Device Device { get; init; } = Device.Auto;

    /// <summary>Passes over the training data (for <c>cottbuser</c>: the most epochs before giving up).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Samples per weight update.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Seed of weight initialisation, shuffling and sampling, so runs repeat.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Folder the PNG plots go to; created when missing.</summary>
    public string OutDir { get; init; } = "out";

    /// <summary>Train on the first N samples only (null: all); evaluation sets are cut to N as well.</summary>
    public int? Limit { get; init; }

    /// <summary>Where the example prints (standard output on the command line, a string writer in tests).</summary>
    public TextWriter Output { get; init; } = Console.Out;

    /// <summary>Creates the backend for <see cref="Device"/>; the CPU fallback notice of <c>auto</c> goes to <see cref="Output"/>.</summary>
    public IBackend CreateBackend() => Device.CreateBackend(Output);

    /// <summary>The output folder, created on first use.</summary>
    public string EnsureOutDir()
    {
        Directory.CreateDirectory(OutDir);
        return OutDir;
    }

    /// <summary>How many of <paramref name="available"/> samples to use under <see cref="Limit"/>.</summary>
    public int Take(int available) => Limit is int n ? Math.Clamp(n, 1, available) : available;
}
