using RnnGpu.Backends;

namespace RnnGpu;

/// <summary>Where a model runs: <see cref="Auto"/> (GPU when one is usable, else CPU), <see cref="Cpu"/>, or <see cref="Gpu"/>.</summary>
public sealed partial class Device
{
    private readonly Kind _kind;

    private Device(Kind kind, int ordinal = 0, bool allowTf32 = false)
    {
        _kind = kind;
        Ordinal = ordinal;
        AllowTf32 = allowTf32;
    }

    private enum Kind { Auto, Cpu, CpuFloat64, Gpu }

    /// <summary>The GPU when a CUDA device and its libraries are found, else the CPU (with a one-line notice saying why).</summary>
    public static Device Auto { get; } = new(Kind.Auto);

    /// <summary>The CPU backend in float32, using all cores.</summary>
    public static Device Cpu { get; } = new(Kind.Cpu);

    /// <summary>The CPU backend in float64: slow, for gradient checks.</summary>
    public static Device CpuFloat64 { get; } = new(Kind.CpuFloat64);

    /// <summary>A CUDA GPU by ordinal; creating the backend fails with the reason when none is usable.</summary>
    /// <param name="ordinal">Device number.</param>
    /// <param name="allowTf32">Let cuBLAS use TF32 tensor cores for float32 GEMMs (faster, ~1e-3 relative error; off by default so results match the CPU).</param>
    public static Device Gpu(int ordinal = 0, bool allowTf32 = false) => new(Kind.Gpu, ordinal, allowTf32);

    /// <summary>GPU ordinal (for <see cref="Gpu"/>).</summary>
    public int Ordinal { get; }

    /// <summary>Whether cuBLAS may use TF32 (GPU only).</summary>
    public bool AllowTf32 { get; }

    /// <summary>Parses <c>auto</c>, <c>cpu</c>, <c>gpu</c> or <c>gpu:N</c> (command-line options).</summary>
    public static Device Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => Auto,
        "cpu" => Cpu,
        "cpu64" => CpuFloat64,
        "gpu" or "cuda" => Gpu(),
        "gpu-tf32" => Gpu(allowTf32: true),
        var s when s.StartsWith("gpu:", StringComparison.Ordinal) && int.TryParse(s[4..], out int n) && n >= 0 => Gpu(n),
        _ => throw new ArgumentException($"Unknown device '{text}'; use auto, cpu, gpu, gpu:N or gpu-tf32.", nameof(text)),
    };

    private static int _noticeGiven;

    /// <summary>
    /// Creates the backend. <paramref name="notice"/> receives the one-line reason when <see cref="Auto"/> falls back to
    /// the CPU; without one, standard error gets it once per process (every model compiled on <c>Auto</c> asks).
    /// </summary>
    public IBackend CreateBackend(TextWriter? notice = null)
    {
        switch (_kind)
        {
            case Kind.Cpu: return new CpuBackend<float>();
            case Kind.CpuFloat64: return new CpuBackend<double>();
            case Kind.Gpu:
                return TryCreateGpu(Ordinal, AllowTf32, out var gpu, out string reason)
                    ? gpu!
                    : throw new InvalidOperationException($"No usable CUDA GPU {Ordinal}: {reason}");
            default:
                if (TryCreateGpu(0, allowTf32: false, out var auto, out string why)) return auto!;
                (notice ?? (Interlocked.Exchange(ref _noticeGiven, 1) == 0 ? Console.Error : TextWriter.Null)).WriteLine($"Using the CPU: {why}");
                return new CpuBackend<float>();
        }
    }

    /// <inheritdoc />
    public override string ToString() => _kind switch
    {
        Kind.Gpu => $"gpu:{Ordinal}",
        _ => _kind.ToString().ToLowerInvariant(),
    };

    private static partial bool TryCreateGpu(int ordinal, bool allowTf32, out IBackend? backend, out string reason);
}
