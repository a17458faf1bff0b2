using System.Globalization;
using System.Text;
using RnnGpu.Cuda;

namespace RnnGpu.Bench.Timing;

/// <summary>
/// The op profiles of an <c>events --profile</c> run as Markdown: per configuration and mode, each GEMM shape and kernel
/// with its runs and GPU time per call, then the split of the call's measured time into GEMMs, kernels and the rest
/// (idle gaps between operations, i.e. launch and host overhead, plus untimed copies and memsets).
/// </summary>
public sealed class OpProfileReport(string device)
{
    private readonly StringBuilder _sections = new();

    /// <summary>Sections added so far.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Adds the section for <paramref name="title"/> from <paramref name="table"/> (summed over <paramref name="calls"/>
    /// calls) and the call's unprofiled time <paramref name="callMilliseconds"/>; returns the section's text.
    /// </summary>
    public string Add(string title, OpTimeTable table, int calls, double callMilliseconds)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        double perCall(double ms) => ms / calls;
        double gemm = perCall(table.MillisecondsOf("gemm ")), busy = perCall(table.TotalMilliseconds), kernels = busy - gemm;
        double rest = callMilliseconds - busy;
        s.AppendLine(c, $"### {title}").AppendLine();
        s.AppendLine(c, $"Per call ({calls} profiled calls): measured {callMilliseconds:F3} ms (median, unprofiled) = GEMMs {gemm:F3} ms ({Share(gemm)}) + kernels {kernels:F3} ms ({Share(kernels)}) + idle gaps and untimed copies {rest:F3} ms ({Share(rest)}).").AppendLine();
        s.AppendLine("| Operation | Runs per call | GPU µs per call | µs per run |").AppendLine("|---|---:|---:|---:|");
        foreach (var row in table.Rows)
            s.AppendLine(c, $"| {row.Name} | {(double)row.Count / calls:0.##} | {perCall(row.TotalMilliseconds) * 1000:F1} | {row.TotalMilliseconds * 1000 / row.Count:F2} |");
        s.AppendLine();
        _sections.Append(s);
        Count++;
        return s.ToString();

        string Share(double ms) => callMilliseconds > 0 ? (ms / callMilliseconds).ToString("P0", c) : "n/a";
    }

    /// <summary>The whole report.</summary>
    public string ToMarkdown() =>
        $"# Op profile: {device}\n\nEvery cuBLAS GEMM and kernel timed between its own CUDA events (`events --profile`); the measured call time comes from the unprofiled timed runs.\n\n{_sections}";
}
