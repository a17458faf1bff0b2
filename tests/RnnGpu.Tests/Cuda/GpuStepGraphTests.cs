using System.Runtime.InteropServices;
using NUnit.Framework;
using RnnGpu.Backends;
using RnnGpu.Cuda;
using RnnGpu.Cuda.Interop;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// CUDA graphs of fused time loops (<see cref="CudaBackend.StepGraphs"/>): a layer called again and again on the same
/// buffers is captured on a repeat and then replayed, and every call, replayed or not, matches the CPU on that call's
/// new data (a replay reads the buffers' current contents); other buffers never replay a graph; graphs off means
/// launch by launch; and (on the CPU emulation of the driver, which can invalidate a capture) a failed capture turns
/// graphs off and still runs the loop. Tolerances as <see cref="GpuRecurrentTests"/>.
/// </summary>
[TestFixture]
[Category("Gpu")]
public sealed class GpuStepGraphTests : GpuTestBase
{
    private const int Batch = 5, Steps = 6, Inputs = 4, Units = 11;

    [Test]
    public void RepeatedCallsReplayAGraphOnTheCurrentData([Values(RecurrentKind.Lstm, RecurrentKind.Gru, RecurrentKind.SimpleRnn)] RecurrentKind kind)
    {
        using var cuda = OwnBackend();
        var spec = new RecurrentSpec(kind, Units);
        using var gpu = new Layer(cuda, spec);
        using var cpu = new Layer(Cpu, spec);
        for (int call = 0; call < 5; call++) CallBoth(spec, cuda, gpu, cpu, $"call {call}");

        Assert.That(cuda.StepGraphsDisabledReason, Is.Null);
        var (captured, replayed) = cuda.StepGraphStatistics;
        Assert.That(captured, Is.EqualTo(2), "the forward and the backward loop, each captured once");
        // The first call's tape may come from fresh device blocks and the second's from the pool, at other addresses:
        // then the second call is a first sighting too, the third captures, and the last two replay.
        Assert.That(replayed, Is.GreaterThanOrEqualTo(4), "and replayed on later calls");
    }

    [Test]
    public void OtherBuffersNeverReplayAnotherLayersGraph()
    {
        using var cuda = OwnBackend();
        var spec = new RecurrentSpec(RecurrentKind.Lstm, Units);
        using var gpu = new Layer(cuda, spec);
        using var cpu = new Layer(Cpu, spec);
        for (int call = 0; call < 3; call++) CallBoth(spec, cuda, gpu, cpu, $"first layer, call {call}");

        using var otherGpu = new Layer(cuda, spec);
        using var otherCpu = new Layer(Cpu, spec);
        var before = cuda.StepGraphStatistics;
        CallBoth(spec, cuda, otherGpu, otherCpu, "second layer");
        Assert.That(cuda.StepGraphStatistics, Is.EqualTo(before), "a first call on new buffers is launched directly");
    }

    [Test]
    public void GraphsOffLaunchesStepByStep()
    {
        using var cuda = OwnBackend();
        cuda.StepGraphs = false;
        var spec = new RecurrentSpec(RecurrentKind.Gru, Units);
        using var gpu = new Layer(cuda, spec);
        using var cpu = new Layer(Cpu, spec);
        for (int call = 0; call < 3; call++) CallBoth(spec, cuda, gpu, cpu, $"call {call}");
        Assert.That(cuda.StepGraphStatistics, Is.EqualTo((0, 0)));
    }

    [Test]
    public unsafe void AFailedCaptureTurnsGraphsOffAndStillRunsTheLoop()
    {
        var dir = Environment.GetEnvironmentVariable(CudaLibrarySearchPath.OverrideVariable);
        nint invalidate = 0;
        if (dir is null || !NativeLibrary.TryLoad(Path.Combine(dir, "libcuda.so.1"), out var driver)
            || !NativeLibrary.TryGetExport(driver, "emu_invalidate_captures", out invalidate))
            Assert.Ignore("Needs the CPU emulation of the driver (tests/RnnGpu.Tests/Cuda/Emulator), which can make a capture fail.");
        var setInvalidation = (delegate* unmanaged<int, void>)invalidate;

        // A backend of its own: the failure switches graphs off for the backend it happens on.
        using var cuda = OwnBackend();
        var spec = new RecurrentSpec(RecurrentKind.Lstm, Units);
        using var gpu = new Layer(cuda, spec);
        using var cpu = new Layer(Cpu, spec);
        setInvalidation(1);
        try
        {
            for (int call = 0; call < 3; call++) CallBoth(spec, cuda, gpu, cpu, $"call {call}");
        }
        finally
        {
            setInvalidation(0);
        }
        Assert.That(cuda.StepGraphs, Is.False);
        Assert.That(cuda.StepGraphsDisabledReason, Does.Contain("cuStreamEndCapture").And.Contain("CAPTURE_INVALIDATED"));
        Assert.That(cuda.StepGraphStatistics, Is.EqualTo((0, 0)));
    }

    /// <summary>
    /// A new backend on the same device, with fused loops and an empty memory pool and graph cache, so that counts are
    /// exact: on the shared backend an earlier test's freed buffers come back from the pool at the same addresses, and
    /// a loop over them is the same launch sequence as one it already saw or captured.
    /// </summary>
    private static CudaBackend OwnBackend()
    {
        Assert.That(CudaRuntime.TryCreate(0, out var own, out var reason), reason);
        own!.RecurrentSteps = RecurrentStepMode.Fused;
        return own;
    }

    /// <summary>New data into the same buffers on both backends, one forward and backward each, compared.</summary>
    private void CallBoth(RecurrentSpec spec, IBackend gpuBackend, Layer gpu, Layer cpu, string what)
    {
        foreach (var (name, length) in gpu.Refilled)
        {
            var data = Random(length, scale: 1.0 / Math.Sqrt(Units));
            gpu.Refill(name, data);
            cpu.Refill(name, data);
        }
        gpu.Call(spec);
        cpu.Call(spec);
        foreach (var (name, tensor) in cpu.Results)
        {
            var expected = Read(Cpu, tensor);
            double largest = expected.Max(v => Math.Abs((double)v));
            bool gradient = name.Contains("gradient", StringComparison.Ordinal);
            AssertClose($"{what}: {name}", Read(gpuBackend, gpu[name]), expected, gradient ? 1e-3 : Rel, (gradient ? 1e-4 : Abs) * Math.Max(1, largest));
        }
    }

    /// <summary>One layer's tensors on one backend, allocated once; gradients start from zero on each call.</summary>
    private sealed class Layer : IDisposable
    {
        private readonly IBackend _backend;
        private readonly Dictionary<string, DeviceTensor> _tensors = new(StringComparer.Ordinal);

        public Layer(IBackend backend, RecurrentSpec spec)
        {
            _backend = backend;
            int g = spec.Gates * Units, bias = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? 2 * g : g;
            void Add(string name, params int[] shape) => _tensors[name] = backend.Allocate(shape);
            Add("input", Batch, Steps, Inputs); Add("initial h", Batch, Units); Add("kernel", Inputs, g);
            Add("recurrent kernel", Units, g); Add("bias", bias); Add("output gradient", Batch, Steps, Units);
            Add("output", Batch, Steps, Units); Add("final h", Batch, Units);
            Add("input gradient", Batch, Steps, Inputs); Add("initial h gradient", Batch, Units);
            Add("kernel gradient", Inputs, g); Add("recurrent kernel gradient", Units, g); Add("bias gradient", bias);
            if (spec.HasCellState) { Add("initial c", Batch, Units); Add("final c", Batch, Units); Add("initial c gradient", Batch, Units); }
        }

        /// <summary>The tensors each call refills with new data, with their lengths.</summary>
        public IEnumerable<(string Name, int Length)> Refilled =>
            new[] { "input", "initial h", "initial c", "kernel", "recurrent kernel", "bias", "output gradient" }
                .Where(_tensors.ContainsKey).Select(n => (n, _tensors[n].Length));

        /// <summary>Everything a call writes.</summary>
        public IEnumerable<(string Name, DeviceTensor Tensor)> Results =>
            _tensors.Where(t => t.Key is "output" or "final h" or "final c" || t.Key.EndsWith("gradient", StringComparison.Ordinal) && t.Key != "output gradient")
                .Select(t => (t.Key, t.Value));

        public DeviceTensor this[string name] => _tensors[name];

        public void Refill(string name, float[] data)
        {
            using var staged = _backend.Upload(data, _tensors[name].Shape.ToArray());
            _backend.Copy(staged, _tensors[name]);
        }

        public void Call(RecurrentSpec spec)
        {
            foreach (var (name, tensor) in Results) if (name.EndsWith("gradient", StringComparison.Ordinal)) _backend.Fill(tensor, 0);
            var fwd = new RecurrentForwardArgs
            {
                Input = this["input"], InitialH = this["initial h"], InitialC = spec.HasCellState ? this["initial c"] : null,
                Kernel = this["kernel"], RecurrentKernel = this["recurrent kernel"], Bias = this["bias"],
                Output = this["output"], FinalH = this["final h"], FinalC = spec.HasCellState ? this["final c"] : null,
            };
            using var tape = _backend.RecurrentForward(spec, fwd, keepForBackward: true)!;
            _backend.RecurrentBackward(spec, new RecurrentBackwardArgs
            {
                Forward = fwd, Tape = tape, OutputGrad = this["output gradient"],
                InputGrad = this["input gradient"], InitialHGrad = this["initial h gradient"],
                InitialCGrad = spec.HasCellState ? this["initial c gradient"] : null,
                KernelGrad = this["kernel gradient"], RecurrentKernelGrad = this["recurrent kernel gradient"], BiasGrad = this["bias gradient"],
            });
        }

        public void Dispose()
        {
            foreach (var tensor in _tensors.Values) tensor.Dispose();
        }
    }
}
