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
            string parameters = b.GetProperty("Parameters").GetString() ?? "";
            string config = parameters.Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == "Config")?[1] ?? parameters;
            list.Add(new Measurement(config, mode, who.Value.device, who.Value.impl, stats.GetProperty("Mean").GetDouble() / 1e6, Path.GetFileName(path)));
        }
        return list;
    }
}
