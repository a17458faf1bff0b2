using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    private const int Chains = 12;

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
        iterations * Chains * 2.0 * (Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count);

    private static float Run(long iterations) =>
        Vector512.IsHardwareAccelerated ? Chains512(iterations) : Chains256(iterations);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Sink(float value) => GC.KeepAlive(value);

    private static float Chains512(long iterations)
    {
        var m = Vector512.Create(0.999999f);
        var c = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
            a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
            a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
            a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            a8 = Vector512.FusedMultiplyAdd(a8, m, c); a9 = Vector512.FusedMultiplyAdd(a9, m, c);
            a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    private static float Chains256(long iterations)
    {
        var m = Vector256.Create(0.999999f);
        var c = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256<float>.One, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
        for (long i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c);
            a2 = Vector256.FusedMultiplyAdd(a2, m, c); a3 = Vector256.FusedMultiplyAdd(a3, m, c);
            a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
            a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c);
            a8 = Vector256.FusedMultiplyAdd(a8, m, c); a9 = Vector256.FusedMultiplyAdd(a9, m, c);
            a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
