using System.Text.Json;

namespace RnnGpu.Bench;

/// <summary>
/// What a suite run records about itself (run-info.json beside BenchmarkDotNet's results) for the report header.
/// <see cref="CpuFmaPeakGflops"/> is <see cref="Timing.CpuFmaPeak"/> at the run's thread count, the report's CPU peak.
/// </summary>
public sealed record RunInfo(string Date, string Machine, string Host, int Threads, string Job, string CpuSet, string GpuSet,
    string? GpuBackend, string? GpuSkipReason, string? TorchSharpVersion, string? LibTorchVersion, string Command,
    double? CpuFmaPeakGflops = null)
{
    /// <summary>File name inside the results directory.</summary>
    public const string FileName = "run-info.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes this record into <paramref name="directory"/>.</summary>
    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, FileName), JsonSerializer.Serialize(this, Json));
    }

    /// <summary>Reads a record, or null when the file is missing or unreadable.</summary>
    public static RunInfo? TryLoad(string path)
    {
        try { return JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(path)); }
        catch (Exception e) when (e is IOException or JsonException) { return null; }
    }
}
