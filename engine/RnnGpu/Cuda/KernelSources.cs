using System.Reflection;

namespace RnnGpu.Cuda;

/// <summary>The CUDA C kernel families embedded in the engine assembly (<c>kernels/*.cu</c>).</summary>
internal static class KernelSources
{
    private const string Prefix = "kernels/";

    /// <summary>Family names (file names without <c>.cu</c>), e.g. "lstm".</summary>
    public static IReadOnlyList<string> Families { get; } = typeof(KernelSources).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cu", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^3])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// The helpers every family shares, prepended to each family's source: <c>kernels/common.cuh</c>, then the other
    /// <c>kernels/*.cuh</c> in name order (each may use what common.cuh defines).
    /// </summary>
    public static string Common { get; } = string.Concat(typeof(KernelSources).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cuh", StringComparison.Ordinal))
        .OrderBy(n => n == Prefix + "common.cuh" ? "" : n, StringComparer.Ordinal)
        .Select(n => "#line 1 \"" + n[Prefix.Length..] + "\"\n" + ReadResource(n) + "\n"));

    /// <summary>The source text NVRTC compiles for one family: the shared helpers, then the family's kernels.</summary>
    public static string Read(string family)
    {
        if (!Families.Contains(family))
            throw new ArgumentException($"No kernel family '{family}' is embedded; known: {string.Join(", ", Families)}.", nameof(family));
        return Common + "\n#line 1 \"" + family + ".cu\"\n" + ReadResource(Prefix + family + ".cu");
    }

    private static string ReadResource(string name)
    {
        using var stream = typeof(KernelSources).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Kernel source '{name}' is not embedded in the engine assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
