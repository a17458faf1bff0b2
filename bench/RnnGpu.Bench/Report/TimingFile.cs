using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnGpu.Bench.Report;

/// <summary>
/// The JSON results format shared with bench/torch/baseline.py and the events subcommand:
/// <c>{"meta": {string: string}, "results": [{"config", "mode", "device", "impl", "mean_ms", "median_ms", "min_ms", "std_ms", "runs", "warmup"}]}</c>.
/// </summary>
public static class TimingFile
{
    /// <summary>Reads the measurements and the meta block, or null when the file is not in this format.</summary>
    public static (IReadOnlyDictionary<string, string> Meta, List<Measurement> Results)? TryRead(string path)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException) { return null; }
        if (root is not JsonObject obj || obj["results"] is not JsonArray results || obj["meta"] is not JsonObject meta) return null;
        var metaDict = meta.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "");
        var list = new List<Measurement>();
        foreach (var r in results.OfType<JsonObject>())
        {
            if (r["mean_ms"] is null) continue; // a case that failed is recorded with an error and no time
            list.Add(new Measurement((string)r["config"]!, (string)r["mode"]!, (string)r["device"]!, (string)r["impl"]!,
                (double)r["mean_ms"]!, Path.GetFileName(path)));
        }
        return (metaDict, list);
    }

    /// <summary>Writes a results file.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> meta, IEnumerable<JsonObject> results)
    {
        var root = new JsonObject
        {
            ["meta"] = new JsonObject(meta.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["results"] = new JsonArray([.. results]),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
