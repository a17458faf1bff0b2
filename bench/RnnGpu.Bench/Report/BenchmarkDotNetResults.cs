using System.Text.Json;

namespace RnnGpu.Bench.Report;

/// <summary>Reads BenchmarkDotNet's full JSON export (<c>*-report-full.json</c>) into measurements.</summary>
public static class BenchmarkDotNetResults
{
    /// <summary>The measurements of one export; cases without statistics (failed) are left out.</summary>
    public static List<Measurement> Read(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var list = new List<Measurement>();
        foreach (var b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
        {
            string type = b.GetProperty("Type").GetString() ?? "";
            (string device, string impl)? who = type switch
            {
                "OursCpu" => ("cpu", "ours"),
                "OursGpu" => ("gpu", "ours"),
                "TorchSharpCpu" => ("cpu", "torchsharp"),
                _ => null,
            };
            if (who is null) continue;
            if (!b.TryGetProperty("Statistics", out var stats) || stats.ValueKind != JsonValueKind.Object) continue;
            string mode = b.GetProperty("Method").GetString() == "TrainingStep" ? "training" : "inference";
            string config = ConfigOf(b);
            list.Add(new Measurement(config, mode, who.Value.device, who.Value.impl, stats.GetProperty("Mean").GetDouble() / 1e6, Path.GetFileName(path)));
        }
        return list;
    }

    /// <summary>
    /// The Config parameter's value, from <c>FullName</c> ("…TrainingStep(Config: name)"): the <c>Parameters</c> field
    /// holds the summary table's text, which BenchmarkDotNet shortens to "head(...)tail [length]" past its column width.
    /// </summary>
    private static string ConfigOf(JsonElement benchmark)
    {
        const string key = "(Config: ";
        string fullName = benchmark.TryGetProperty("FullName", out var f) ? f.GetString() ?? "" : "";
        int start = fullName.IndexOf(key, StringComparison.Ordinal);
        if (start >= 0)
        {
            start += key.Length;
            int end = fullName.IndexOfAny([',', ')'], start);
            if (end > start) return fullName[start..end];
        }
        string parameters = benchmark.GetProperty("Parameters").GetString() ?? "";
        return parameters.Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "Config")?[1] ?? parameters;
    }
}
