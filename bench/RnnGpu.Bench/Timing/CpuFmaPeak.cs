using System.Diagnostics;
using System.Runtime.CompilerServices;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Bench.Timing;

/// <summary>
/// The CPU's FP32 peak as the benchmark's threads actually reach it: each thread runs twelve independent chains of
/// fused multiply-adds at the widest vector width the hardware accelerates, so the FMA units never wait on a result.
/// Measured rather than computed from a nominal clock because boost clocks (and a VM's view of them) make cores × base
/// GHz × FLOP/cycle a poor denominator: on the 2-core EPYC VM a single thread reaches ~270 GFLOP/s where the base clock
/// promises 166.
/// </summary>
public static class CpuFmaPeak
{
    private const int ChainCount = 12;

    /// <summary>GFLOP/s of <paramref name="threads"/> threads running at once, the best of three rounds of ~100 ms.</summary>
    public static double MeasureGflops(int threads)
    {
        threads = Math.Max(1, threads);
        long iterations = Calibrate();
        double best = 0;
        for (int round = 0; round < 3; round++)
        {
            using var start = new Barrier(threads + 1);
            var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                Sink(Run(iterations));
            })).ToList();
            workers.ForEach(w => w.Start());
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            workers.ForEach(w => w.Join());
            best = Math.Max(best, threads * FlopsPer(iterations) / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <summary>Iterations that take a single thread about 100 ms (after a warm-up that lets the JIT optimise <see cref="Run"/>).</summary>
    private static long Calibrate()
    {
        for (int i = 0; i < 3; i++) Sink(Run(200_000));
        var clock = Stopwatch.StartNew();
        Sink(Run(1_000_000));
        return Math.Max(1_000_000, (long)(1_000_000 * 0.1 / clock.Elapsed.TotalSeconds));
    }

    private static double FlopsPer(long iterations) =>
        iterations * ChainCount * 2.0 * (FloatLanes512.IsHardwareAccelerated ? FloatLanes512.Count : FloatLanes256.Count);

    private static float Run(long iterations) =>
        FloatLanes512.IsHardwareAccelerated ? Chains<FloatLanes512>(iterations) : Chains<FloatLanes256>(iterations);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sink(float value) => GC.KeepAlive(value);

    /// <summary>Twelve independent FMA chains at width <typeparamref name="TV"/> (the engine's register abstraction).</summary>
    private static float Chains<TV>(long iterations) where TV : struct, IFloatLanes<TV>
    {
        var m = TV.Splat(0.999999f);
        var c = TV.Splat(1e-7f);
        TV a0 = TV.Splat(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = TV.MultiplyAdd(a0, m, c); a1 = TV.MultiplyAdd(a1, m, c);
            a2 = TV.MultiplyAdd(a2, m, c); a3 = TV.MultiplyAdd(a3, m, c);
            a4 = TV.MultiplyAdd(a4, m, c); a5 = TV.MultiplyAdd(a5, m, c);
            a6 = TV.MultiplyAdd(a6, m, c); a7 = TV.MultiplyAdd(a7, m, c);
            a8 = TV.MultiplyAdd(a8, m, c); a9 = TV.MultiplyAdd(a9, m, c);
            a10 = TV.MultiplyAdd(a10, m, c); a11 = TV.MultiplyAdd(a11, m, c);
        }
        Span<float> lanes = stackalloc float[TV.Count];
        TV.Store(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11, ref lanes[0], 0);
        float sum = 0;
        foreach (float lane in lanes) sum += lane;
        return sum;
    }
}
