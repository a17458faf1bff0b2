using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Cuda;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// The fused recurrent layers, forward outputs and every gradient, GPU against CPU: all three cells, both GRU
/// variants, SimpleRNN with tanh/relu/linear, with and without a mask and an initial state, on odd shapes
/// (batch 1, hidden 1, hidden not a multiple of the 8-unit tile, batches over one 16-row tile, long sequences), each
/// with the recurrent product from cuBLAS, computed inside the step kernels, and the whole loop in one persistent launch
/// (<see cref="RecurrentStepMode"/>). Tolerances: forward rel 1e-4 / abs 1e-5;
/// gradients rel 1e-3 / abs 1e-4 (times the tensor's largest magnitude when above 1), since they sum over B·T rows and
/// many steps in a different order.
/// </summary>
[TestFixture]
[Category("Gpu")]
public sealed class GpuRecurrentTests : GpuTestBase
{
    public static IEnumerable<TestCaseData> Cases()
    {
        var specs = new[]
        {
            new RecurrentSpec(RecurrentKind.SimpleRnn, 0, ActivationKind.Tanh),
            new RecurrentSpec(RecurrentKind.SimpleRnn, 0, ActivationKind.Relu),
            new RecurrentSpec(RecurrentKind.SimpleRnn, 0, ActivationKind.Linear),
            new RecurrentSpec(RecurrentKind.Lstm, 0),
            new RecurrentSpec(RecurrentKind.Gru, 0, ResetAfter: true),
            new RecurrentSpec(RecurrentKind.Gru, 0, ResetAfter: false),
        };
        // (batch, steps, inputs, units)
        var shapes = new[] { (1, 1, 1, 1), (3, 7, 5, 33), (1, 64, 3, 17), (4, 5, 8, 64), (2, 3, 1, 1), (37, 4, 3, 9), (17, 3, 6, 40) };
        foreach (var spec in specs)
        foreach (var mode in spec.Kind == RecurrentKind.Gru && !spec.ResetAfter ? [RecurrentStepMode.Cublas] : new[] { RecurrentStepMode.Cublas, RecurrentStepMode.Fused, RecurrentStepMode.Persistent })
        foreach (var (b, t, i, h) in shapes)
        foreach (var masked in new[] { false, true })
        foreach (var initial in new[] { false, true })
        {
            var s = spec with { Units = h };
            var name = $"{s.Kind}{(s.Kind == RecurrentKind.SimpleRnn ? "-" + s.Activation : "")}{(s.Kind == RecurrentKind.Gru ? (s.ResetAfter ? "-after" : "-before") : "")} {mode} B{b} T{t} I{i} H{h}{(masked ? " masked" : "")}{(initial ? " h0" : "")}";
            yield return new TestCaseData(s, mode, b, t, i, h, masked, initial).SetName(name);
        }
    }

    private sealed class Side
    {
        public required IBackend Backend;
        public required RecurrentForwardArgs Forward;
        public RecurrentTape? Tape;
    }

    [SetUp]
    public void DefaultSteps() => ((CudaBackend)Gpu).RecurrentSteps = RecurrentStepMode.Auto;

    [TestCaseSource(nameof(Cases))]
    public void ForwardAndBackwardMatchTheCpu(RecurrentSpec spec, RecurrentStepMode mode, int batch, int steps, int inputs, int units, bool masked, bool initialState)
    {
        var cuda = (CudaBackend)Gpu;
        cuda.RecurrentSteps = mode;
        int persistentBefore = cuda.PersistentLoops;
        int g = spec.Gates * units;
        int biasLength = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? 2 * g : g;
        var x = Random(batch * steps * inputs);
        // Glorot-like scales keep long linear/relu sequences from exploding, so the comparison measures the kernels.
        var w = Random(inputs * g, scale: 1.0 / Math.Sqrt(inputs));
        var u = Random(units * g, scale: 1.0 / Math.Sqrt(units));
        var bias = Random(biasLength, scale: 0.2);
        var h0 = initialState ? Random(batch * units) : new float[batch * units];
        var c0 = initialState ? Random(batch * units) : new float[batch * units];
        float[]? mask = null;
        if (masked)
        {
            mask = new float[batch * steps];
            for (int k = 0; k < mask.Length; k++) mask[k] = Rng.NextDouble() < 0.3 ? 0 : 1;
            mask[0] = 0; // a masked first step
            if (steps > 1) mask[^1] = 0; // and a masked last one
        }
        var dOut = Random(batch * steps * units);
        var dHT = Random(batch * units);
        var dCT = Random(batch * units);
        // Gradient buffers start non-zero: every gradient output must accumulate.
        var dx0 = Random(batch * steps * inputs);
        var dW0 = Random(inputs * g); var dU0 = Random(units * g); var db0 = Random(biasLength);
        var dh00 = Random(batch * units); var dc00 = Random(batch * units);

        var sides = new List<(Side Side, RecurrentBackwardArgs Back)>();
        foreach (var backend in new[] { Gpu, Cpu })
        {
            var fwd = new RecurrentForwardArgs
            {
                Input = backend.Upload(x, [batch, steps, inputs]),
                Mask = mask is null ? null : backend.Upload(mask, [batch, steps]),
                InitialH = backend.Upload(h0, [batch, units]),
                InitialC = spec.HasCellState ? backend.Upload(c0, [batch, units]) : null,
                Kernel = backend.Upload(w, [inputs, g]),
                RecurrentKernel = backend.Upload(u, [units, g]),
                Bias = backend.Upload(bias, biasLength == g ? [g] : [2, g]),
                Output = backend.Allocate(batch, steps, units),
                FinalH = backend.Allocate(batch, units),
                FinalC = spec.HasCellState ? backend.Allocate(batch, units) : null,
            };
            var side = new Side { Backend = backend, Forward = fwd, Tape = backend.RecurrentForward(spec, fwd, keepForBackward: true) };
            Assert.That(side.Tape, Is.Not.Null);
            var back = new RecurrentBackwardArgs
            {
                Forward = fwd,
                Tape = side.Tape!,
                OutputGrad = backend.Upload(dOut, [batch, steps, units]),
                FinalHGrad = backend.Upload(dHT, [batch, units]),
                FinalCGrad = spec.HasCellState ? backend.Upload(dCT, [batch, units]) : null,
                InputGrad = backend.Upload(dx0, [batch, steps, inputs]),
                InitialHGrad = backend.Upload(dh00, [batch, units]),
                InitialCGrad = spec.HasCellState ? backend.Upload(dc00, [batch, units]) : null,
                KernelGrad = backend.Upload(dW0, [inputs, g]),
                RecurrentKernelGrad = backend.Upload(dU0, [units, g]),
                BiasGrad = backend.Upload(db0, biasLength == g ? [g] : [2, g]),
            };
            backend.RecurrentBackward(spec, back);
            sides.Add((side, back));
        }

        // A grid of up to 4 blocks fits on any device (and on the emulator's one SM), so forward and backward ran persistent.
        if (mode == RecurrentStepMode.Persistent && CudaRecurrentStepPlan.For(spec, batch, units, mode).Blocks <= 4)
            Assert.That(cuda.PersistentLoops - persistentBefore, Is.EqualTo(2), "time loops run as one cooperative launch");

        var (gpu, gpuBack) = sides[0];
        var (cpu, cpuBack) = sides[1];
        void Same(string what, DeviceTensor? a, DeviceTensor? b, double rel, double abs)
        {
            if (a is null || b is null) return;
            var expected = Read(Cpu, b);
            // Absolute tolerance scales with the tensor's largest element: sums over many rows and steps.
            double largest = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
            AssertClose(what, Read(Gpu, a), expected, rel, abs * Math.Max(1, largest));
        }
        Same("output", gpu.Forward.Output, cpu.Forward.Output, Rel, Abs);
        Same("final h", gpu.Forward.FinalH, cpu.Forward.FinalH, Rel, Abs);
        Same("final c", gpu.Forward.FinalC, cpu.Forward.FinalC, Rel, Abs);
        const double gRel = 1e-3, gAbs = 1e-4;
        Same("input gradient", gpuBack.InputGrad, cpuBack.InputGrad, gRel, gAbs);
        Same("initial h gradient", gpuBack.InitialHGrad, cpuBack.InitialHGrad, gRel, gAbs);
        Same("initial c gradient", gpuBack.InitialCGrad, cpuBack.InitialCGrad, gRel, gAbs);
        Same("kernel gradient", gpuBack.KernelGrad, cpuBack.KernelGrad, gRel, gAbs);
        Same("recurrent kernel gradient", gpuBack.RecurrentKernelGrad, cpuBack.RecurrentKernelGrad, gRel, gAbs);
        Same("bias gradient", gpuBack.BiasGrad, cpuBack.BiasGrad, gRel, gAbs);

        foreach (var (side, back) in sides)
        {
            side.Tape!.Dispose();
            foreach (var t in new[] { back.OutputGrad, back.FinalHGrad, back.FinalCGrad, back.InputGrad, back.InitialHGrad, back.InitialCGrad,
                         back.KernelGrad, back.RecurrentKernelGrad, back.BiasGrad, side.Forward.Input, side.Forward.Mask, side.Forward.InitialH,
                         side.Forward.InitialC, side.Forward.Kernel, side.Forward.RecurrentKernel, side.Forward.Bias, side.Forward.Output,
                         side.Forward.FinalH, side.Forward.FinalC })
                t?.Dispose();
        }
    }

    /// <summary>
    /// The fused product over many k slices and both row tiles: 130 units (17 tiles, the last of 2 units), batch 20.
    /// Persistent, its 34 blocks run as one cooperative grid on a GPU, and step by step on the emulator, which holds 8.
    /// </summary>
    [Test]
    public void FusedStepsMatchTheCpuOnAWiderLayer([Values(RecurrentKind.Lstm, RecurrentKind.Gru, RecurrentKind.SimpleRnn)] RecurrentKind kind,
                                                   [Values(RecurrentStepMode.Fused, RecurrentStepMode.Persistent)] RecurrentStepMode mode) =>
        ForwardAndBackwardMatchTheCpu(new RecurrentSpec(kind, 130), mode, 20, 5, 7, 130, masked: true, initialState: true);

    /// <summary>
    /// Products deeper than one chunk of the block's staged rows (STEP_SCRATCH / 16 rows, rounded down to a multiple of
    /// the slices: 280 or 288 values of k) in both directions: 300 units, a full 16-row tile and a 1-row one.
    /// </summary>
    [Test]
    public void FusedStepsMatchTheCpuBeyondOneStagedChunk([Values(RecurrentKind.Lstm, RecurrentKind.Gru, RecurrentKind.SimpleRnn)] RecurrentKind kind) =>
        ForwardAndBackwardMatchTheCpu(new RecurrentSpec(kind, 300), RecurrentStepMode.Fused, 17, 3, 5, 300, masked: false, initialState: true);

    /// <summary>
    /// A grid barrier that never opens (its arrival count starts one high, so no block is ever the last to arrive) makes
    /// the persistent loop trap after GRID_SYNC_POLLS polls, and the launch fails with an error instead of hanging. On the
    /// emulator only: on a GPU the trap would leave the context unusable for the rest of the suite.
    /// </summary>
    [Test]
    public void ABarrierThatNeverOpensFailsTheLaunchInsteadOfHanging()
    {
        if (!Gpu.Name.Contains("emulator")) Assert.Ignore("A trapped kernel leaves a GPU's context unusable, so this runs on the CPU emulator only.");
        Assert.That(CudaRuntime.TryCreate(0, out var created, out var reason), reason);
        using var backend = created!;
        backend.RecurrentSteps = RecurrentStepMode.Persistent;
        CudaDriver.Check(CudaDriver.cuMemsetD32Async(backend.GridBarrier, 1, 1, 0));
        var spec = new RecurrentSpec(RecurrentKind.Lstm, 16);
        int batch = 2, steps = 3, g = spec.Gates * 16;
        var fwd = new RecurrentForwardArgs
        {
            Input = backend.Upload(Random(batch * steps * 4), [batch, steps, 4]),
            InitialH = backend.Allocate(batch, 16),
            InitialC = backend.Allocate(batch, 16),
            Kernel = backend.Upload(Random(4 * g), [4, g]),
            RecurrentKernel = backend.Upload(Random(16 * g), [16, g]),
            Bias = backend.Upload(Random(g), [g]),
            Output = backend.Allocate(batch, steps, 16),
            FinalH = backend.Allocate(batch, 16),
            FinalC = backend.Allocate(batch, 16),
        };
        var e = Assert.Throws<CudaException>(() =>
        {
            backend.RecurrentForward(spec, fwd, keepForBackward: false);
            backend.Synchronize();
        });
        Assert.That(e!.Message, Does.Contain("CUDA_ERROR_LAUNCH_FAILED"));
    }

    [Test]
    public void InferenceKeepsNoTapeAndMatches([Values(RecurrentKind.SimpleRnn, RecurrentKind.Lstm, RecurrentKind.Gru)] RecurrentKind kind)
    {
        var spec = new RecurrentSpec(kind, 19);
        int batch = 5, steps = 9, inputs = 6, g = spec.Gates * 19, biasLength = kind == RecurrentKind.Gru ? 2 * g : g;
        var x = Random(batch * steps * inputs); var w = Random(inputs * g, 0.5); var u = Random(19 * g, 0.5); var bias = Random(biasLength, 0.2);
        var outputs = new List<float[]>();
        foreach (var backend in new[] { Gpu, Cpu })
        {
            var fwd = new RecurrentForwardArgs
            {
                Input = backend.Upload(x, [batch, steps, inputs]),
                InitialH = backend.Allocate(batch, 19),
                InitialC = spec.HasCellState ? backend.Allocate(batch, 19) : null,
                Kernel = backend.Upload(w, [inputs, g]),
                RecurrentKernel = backend.Upload(u, [19, g]),
                Bias = backend.Upload(bias, [biasLength]),
                Output = backend.Allocate(batch, steps, 19),
                FinalH = backend.Allocate(batch, 19),
                FinalC = spec.HasCellState ? backend.Allocate(batch, 19) : null,
            };
            Assert.That(backend.RecurrentForward(spec, fwd, keepForBackward: false), Is.Null);
            outputs.Add(Read(backend, fwd.Output));
        }
        AssertClose("inference output", outputs[0], outputs[1]);
    }
}
