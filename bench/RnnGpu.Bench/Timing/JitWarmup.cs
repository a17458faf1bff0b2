using System.Diagnostics;
using RnnGpu.Backends;
using RnnGpu.Bench.Configs;
using RnnGpu.Bench.Ours;

namespace RnnGpu.Bench.Timing;

/// <summary>
/// Runs one of our backends over the selected configurations before anything is timed, so that the engine's hot
/// methods (host code, for the GPU) are already in their optimised (tier-1) code when the first measurement starts.
/// .NET first compiles a method without optimisation and recompiles it in the background only after 30 calls and a
/// pause in new compilation, which BenchmarkDotNet's own start-up keeps putting off. Without this, the first benchmark
/// of a short job (3 warm-up iterations) was still on slow code when measured: GRU(128) batch 16 inference ran its
/// warm-up iterations at 17–28 ms/op and its measured ones at 12.6, 1.7 and 1.0 ms/op, against 0.45–0.55 ms/op once
/// warm; DeepBench LSTM(1024) batch 1 inference measured 6.5, 4.5 and 4.1 ms/op, against 4.1.
/// </summary>
public static class JitWarmup
{
    /// <summary>Rounds run at least this long.</summary>
    public static readonly TimeSpan MinimumTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs inference and a training step of every configuration, in rounds, until <see cref="MinimumTime"/> has
    /// passed (at least one round, so every code path the benchmarks take has run). Returns the rounds and the time.
    /// </summary>
    public static (int Rounds, TimeSpan Elapsed) Run(IBackend backend, IReadOnlyList<BenchConfig> configs) =>
        configs.Count == 0 ? (1, TimeSpan.Zero) : Run(() =>
        {
            foreach (var config in configs)
            {
                using var stack = new OursRecurrentStack(backend, config);
                stack.Inference();
                stack.TrainingStep();
            }
        });

    /// <summary>Runs <paramref name="round"/> again and again until <see cref="MinimumTime"/> has passed (at least once); returns the rounds and the time.</summary>
    public static (int Rounds, TimeSpan Elapsed) Run(Action round)
    {
        var clock = Stopwatch.StartNew();
        int rounds = 0;
        do
        {
            round();
            rounds++;
        } while (clock.Elapsed < MinimumTime);
        return (rounds, clock.Elapsed);
    }
}
