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

    /// <summary>The source text of one family.</summary>
    public static string Read(string family)
    {
        using var stream = typeof(KernelSources).Assembly.GetManifestResourceStream(Prefix + family + ".cu")
            ?? throw new ArgumentException($"No kernel family '{family}' is embedded; known: {string.Join(", ", Families)}.", nameof(family));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
