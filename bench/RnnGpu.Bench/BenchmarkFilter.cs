using BenchmarkDotNet.ConsoleArguments;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;

namespace RnnGpu.Bench;

/// <summary>What BenchmarkDotNet's command line selects, asked of BenchmarkDotNet before it runs anything.</summary>
public static class BenchmarkFilter
{
    /// <summary>Whether <paramref name="args"/> (its <c>--filter</c> and the like) select a benchmark of <paramref name="benchmarkClass"/>.</summary>
    public static bool Selects(string[] args, Type benchmarkClass)
    {
        var (parsed, config, _) = ConfigParser.Parse(args, NullLogger.Instance);
        return parsed && config is not null && BenchmarkConverter.TypeToBenchmarks(benchmarkClass, config).BenchmarksCases.Length > 0;
    }
}
