using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Json;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using RnnGpu.Bench.Columns;

namespace RnnGpu.Bench;

/// <summary>The BenchmarkDotNet configuration of the suite.</summary>
public static class SuiteConfig
{
    /// <summary>
    /// In-process jobs (no SDK needed where the suite runs), the FLOP columns, and the full JSON and GitHub Markdown
    /// exports into <paramref name="artifacts"/>. short: 1 launch, 3 warm-up and 3 measured iterations of about 250 ms each.
    /// </summary>
    public static IConfig Create(BenchOptions options, string artifacts)
    {
        var job = options.Job == "short"
            ? Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(250))
            : Job.Default;
        job = job.WithToolchain(InProcessEmitToolchain.Instance).WithId(options.Job);
        // The default configuration less its CSV and HTML exports, which repeat the JSON (one set per configuration
        // and class, since the CPU classes run one configuration at a time).
        var defaults = DefaultConfig.Instance;
        return ManualConfig.CreateMinimumViable()
            .AddAnalyser([.. defaults.GetAnalysers()])
            .AddValidator([.. defaults.GetValidators()])
            .AddExporter(JsonExporter.Full, MarkdownExporter.GitHub)
            .AddJob(job)
            .AddColumn(FlopsColumn.PerCall, FlopsColumn.Rate)
            // Whole configuration names in the tables (the default 20 characters shortens "deepbench-lstm-h1024-b1").
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(32))
            .WithArtifactsPath(artifacts);
    }
}
