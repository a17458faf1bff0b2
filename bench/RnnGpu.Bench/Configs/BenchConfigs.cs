using System.Text.Json;
using RnnGpu.Backends;

namespace RnnGpu.Bench.Configs;

/// <summary>Reads the configuration list shared with <c>bench/torch/baseline.py</c> (<c>configs.json</c>).</summary>
public static class BenchConfigs
{
    private static IReadOnlyList<BenchConfig>? _all;

    /// <summary>Every configuration, in file order.</summary>
    public static IReadOnlyList<BenchConfig> All => _all ??= Load(Path.Combine(AppContext.BaseDirectory, "configs.json"));

    /// <summary>The configuration with this name.</summary>
    public static BenchConfig Get(string name) =>
        All.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No benchmark configuration '{name}' (see configs.json).");

    /// <summary>Parses a configs.json file.</summary>
    public static IReadOnlyList<BenchConfig> Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<BenchConfig>();
        foreach (var c in doc.RootElement.GetProperty("configs").EnumerateArray())
        {
            var kind = c.GetProperty("kind").GetString() switch
            {
                "lstm" => RecurrentKind.Lstm,
                "gru" => RecurrentKind.Gru,
                "simplernn" => RecurrentKind.SimpleRnn,
                var k => throw new InvalidDataException($"Unknown cell kind '{k}' in {path}."),
            };
            list.Add(new BenchConfig(
                c.GetProperty("name").GetString()!,
                c.GetProperty("group").GetString()!,
                kind,
                c.GetProperty("batch").GetInt32(),
                c.GetProperty("steps").GetInt32(),
                c.GetProperty("input").GetInt32(),
                [.. c.GetProperty("units").EnumerateArray().Select(u => u.GetInt32())],
                c.GetProperty("cpu").GetString()!));
        }
        return list;
    }

    /// <summary>
    /// The configurations a side runs. <paramref name="set"/> is a tier (small, medium: small and medium, all),
    /// a group name, or a comma-separated list of configuration names.
    /// </summary>
    public static IEnumerable<BenchConfig> Select(string set) => set switch
    {
        "all" => All,
        "small" => All.Where(c => c.CpuTier == "small"),
        "medium" => All.Where(c => c.CpuTier is "small" or "medium"),
        _ when All.Any(c => c.Group == set) => All.Where(c => c.Group == set),
        _ => set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Get),
    };
}
