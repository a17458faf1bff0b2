using RnnGpu.Backends;
using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Layers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Gpu;

/// <summary>
/// Whole models on the GPU against the same models on the CPU: training tracks step for step, the custom-cell path and
/// masked, stacked, stateful models give the same outputs. Skipped with the reason where no CUDA device is usable.
/// Tolerances: float32 on both sides with TF32 off; differences come from summation order in GEMMs and reductions.
/// </summary>
[Category("Gpu")]
public class GpuModelTests
{
    private IBackend _gpu = null!;

    [OneTimeSetUp]
    public void FindGpu()
    {
        try { _gpu = Device.Gpu().CreateBackend(); }
        catch (Exception e) { Assert.Ignore($"No usable CUDA GPU: {e.Message}"); }
        TestContext.Progress.WriteLine($"GPU backend: {_gpu.Name}");
    }

    [OneTimeTearDown]
    public void Release() => _gpu?.Dispose();

    private (Sequential Cpu, Sequential Gpu) Pair(Func<Sequential> make, Action<Sequential> compile)
    {
        var cpu = make();
        var gpu = make();
        cpu.UseBackend(new CpuBackend<float>(), seed: 1);
        gpu.UseBackend(_gpu, seed: 1);
        compile(cpu);
        compile(gpu);
        gpu.SetWeights(cpu.GetWeights());
        return (cpu, gpu);
    }

    [Test]
    public void Training_an_lstm_classifier_tracks_the_cpu_step_for_step()
    {
        var random = new Random(2);
        var x = TestData.Uniform(random, 1, 64, 20, 8);
        var y = TestData.Labels([.. Enumerable.Range(0, 64).Select(i => i % 5)], 64);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Lstm(37, returnSequences: true, inputShape: [20, 8]), new Lstm(19), new Dense(5, ActivationKind.Softmax)),
            m => m.Compile(new Adam(0.005), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"]));
        var lossCpu = new List<double>();
        var lossGpu = new List<double>();
        cpu.Fit(x, y, epochs: 10, batchSize: 16, shuffle: false, verbose: 0, callbacks: [new RnnGpu.Training.LambdaCallback(onBatchEnd: (_, logs, _) => lossCpu.Add(logs["loss"]))]);
        gpu.Fit(x, y, epochs: 10, batchSize: 16, shuffle: false, verbose: 0, callbacks: [new RnnGpu.Training.LambdaCallback(onBatchEnd: (_, logs, _) => lossGpu.Add(logs["loss"]))]);
        TestContext.Out.WriteLine($"first/last loss CPU {lossCpu[0]:F6}/{lossCpu[^1]:F6}, GPU {lossGpu[0]:F6}/{lossGpu[^1]:F6}");
        Assert.That(lossGpu, Is.EqualTo(lossCpu).Within(2e-3).Percent);
        var wc = cpu.GetWeights();
        var wg = gpu.GetWeights();
        for (int i = 0; i < wc.Count; i++)
            Assert.That(wg[i].Data, Is.EqualTo(wc[i].Data).Within(2e-3), cpu.Weights[i].Path);
    }

    /// <summary>The time-loop tests' task: 32 sequences of 12 steps × 6 features in 3 classes.</summary>
    private static (Tensor X, Tensor Y) ThreeClassSequences(int seed) =>
        (TestData.Uniform(new Random(seed), 1, 32, 12, 6), TestData.Labels([.. Enumerable.Range(0, 32).Select(i => i % 3)], 32));

    /// <summary>GRU(24) → LSTM(16) → Dense(3): four fused time loops per training step, grids small enough for any device.</summary>
    private static Sequential GruLstmClassifier() =>
        new(new Gru(24, returnSequences: true, inputShape: [12, 6]), new Lstm(16), new Dense(3, ActivationKind.Softmax));

    private static void CompileClassifier(Model model) => model.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy());

    [Test]
    public void Steady_state_training_replays_its_time_loops_as_cuda_graphs()
    {
        if (_gpu is not RnnGpu.Cuda.CudaBackend) { Assert.Ignore("Not the CUDA backend."); return; }
        // A backend of its own: on the shared one, buffers freed by earlier tests come back from the pool at the same
        // addresses, so a loop may match a sequence seen or captured before and the counts would depend on test order.
        using var cuda = (RnnGpu.Cuda.CudaBackend)Device.Gpu().CreateBackend();
        var (x, y) = ThreeClassSequences(seed: 4);
        using var model = GruLstmClassifier();
        model.UseBackend(cuda, seed: 1);
        CompileClassifier(model);
        model.Fit(x, y, epochs: 5, batchSize: 8, shuffle: false, verbose: 0); // 20 steps, 4 fused time loops each
        var (captured, replayed) = cuda.StepGraphStatistics;
        TestContext.Out.WriteLine($"CUDA graphs over 20 training steps: {captured} captured, {replayed} replayed");
        Assert.That(cuda.StepGraphsDisabledReason, Is.Null);
        Assert.That(captured, Is.InRange(4, 8), "each layer's forward and backward loop, captured once (or twice while the pool settles)");
        Assert.That(replayed, Is.GreaterThanOrEqualTo(60), "and replayed in the steady state");
    }

    [Test]
    public void Persistent_time_loops_train_as_the_cpu_does()
    {
        if (_gpu is not RnnGpu.Cuda.CudaBackend cuda) { Assert.Ignore("Not the CUDA backend."); return; }
        var (x, y) = ThreeClassSequences(seed: 5);
        var (cpu, gpu) = Pair(GruLstmClassifier, CompileClassifier);
        cuda.RecurrentSteps = RnnGpu.Cuda.RecurrentStepMode.Persistent;
        try
        {
            int before = cuda.PersistentLoops;
            var hc = cpu.Fit(x, y, epochs: 5, batchSize: 8, shuffle: false, verbose: 0);
            var hg = gpu.Fit(x, y, epochs: 5, batchSize: 8, shuffle: false, verbose: 0);
            TestContext.Out.WriteLine($"loss CPU {hc["loss"][0]:F6} → {hc["loss"][^1]:F6}, GPU {hg["loss"][0]:F6} → {hg["loss"][^1]:F6}");
            // 20 training steps, each a forward and a backward loop per layer: grids of 3 and 2 blocks fit on any device.
            Assert.That(cuda.PersistentLoops - before, Is.EqualTo(80));
            Assert.That(hg["loss"], Is.EqualTo(hc["loss"]).Within(2e-3).Percent);
            Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(1e-4));
        }
        finally { cuda.RecurrentSteps = RnnGpu.Cuda.RecurrentStepMode.Auto; }
    }

    [Test]
    public void Custom_cell_runs_on_the_gpu_and_matches_the_cpu()
    {
        var random = new Random(3);
        var x = TestData.Uniform(random, 1, 4, 7, 5);
        var y = TestData.Uniform(random, 1, 4, 7, 3);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Rnn(new PrimitiveLstmCell(6), returnSequences: true, inputShape: [7, 5]), new TimeDistributed(new Dense(3))),
            m => m.Compile(new Sgd(0.1), new RnnGpu.Losses.MeanSquaredError()));
        Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(1e-5));
        cpu.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0);
        gpu.Fit(x, y, epochs: 3, batchSize: 4, verbose: 0);
        Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(1e-4));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Masked_embedding_stacked_gru_with_time_distributed_head(bool resetAfter)
    {
        var x = new Tensor([0, 0, 3, 1, 2, 7, 0, 4, 4, 1, 2, 3, 9, 1, 0, 0, 0, 0], 3, 6);
        var y = new Tensor([.. Enumerable.Range(0, 18).Select(i => (float)(i % 4))], 3, 6);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Embedding(10, 8, maskZero: true, inputShape: [6]), new Gru(33, returnSequences: true, resetAfter: resetAfter), new Gru(1, returnSequences: true, resetAfter: resetAfter), new TimeDistributed(new Dense(4, ActivationKind.Softmax))),
            m => m.Compile(new RmsProp(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"]));
        Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(1e-5));
        var hc = cpu.Fit(x, y, epochs: 5, batchSize: 3, verbose: 0);
        var hg = gpu.Fit(x, y, epochs: 5, batchSize: 3, verbose: 0);
        Assert.That(hg["loss"], Is.EqualTo(hc["loss"]).Within(1e-3).Percent);
    }

    [TestCase(BidirectionalMergeMode.Concat)]
    [TestCase(BidirectionalMergeMode.Average)]
    public void Masked_bidirectional_lstm_and_gru_train_as_the_cpu_does(BidirectionalMergeMode mode)
    {
        // Both directions and the time reversals between them, over rows padded at the end and at the start.
        var x = new Tensor([3, 1, 2, 7, 0, 0, 0, 0, 4, 4, 1, 2, 3, 9, 1, 5, 8, 6], 3, 6);
        var y = TestData.Labels([0, 1, 2], 3);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Embedding(10, 8, maskZero: true, inputShape: [6]), new Bidirectional(new Lstm(17, returnSequences: true), mode),
                new Bidirectional(new Gru(9), mode), new Dense(3, ActivationKind.Softmax)),
            m => m.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"]));
        Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(1e-5));
        var hc = cpu.Fit(x, y, epochs: 5, batchSize: 3, verbose: 0);
        var hg = gpu.Fit(x, y, epochs: 5, batchSize: 3, verbose: 0);
        Assert.That(hg["loss"], Is.EqualTo(hc["loss"]).Within(1e-3).Percent);
        Assert.That(gpu.Predict(x).Data, Is.EqualTo(cpu.Predict(x).Data).Within(1e-4));
    }

    [Test]
    public void Sample_weighted_masked_sequence_training_tracks_the_cpu()
    {
        var x = new Tensor([3, 1, 2, 7, 0, 0, 4, 4, 1, 2, 3, 9, 1, 5, 8, 0, 0, 0], 3, 6);
        var y = new Tensor([.. Enumerable.Range(0, 18).Select(i => (float)(i % 4))], 3, 6);
        var w = new Tensor([.. Enumerable.Range(0, 18).Select(i => (float)(i % 5) / 2)], 3, 6);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Embedding(10, 8, maskZero: true, inputShape: [6]), new Lstm(12, returnSequences: true), new TimeDistributed(new Dense(4, ActivationKind.Softmax))),
            m => m.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy(), ["accuracy"]));
        var hc = cpu.Fit(x, y, epochs: 5, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: w);
        var hg = gpu.Fit(x, y, epochs: 5, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: w);
        Assert.That(hg["loss"], Is.EqualTo(hc["loss"]).Within(1e-3).Percent);
        Assert.That(gpu.Evaluate(x, y, sampleWeight: w)["loss"], Is.EqualTo(cpu.Evaluate(x, y, sampleWeight: w)["loss"]).Within(1e-3).Percent);
    }

    [Test]
    public void Simple_rnn_relu_stateful_batch_one_and_truncated_bptt()
    {
        var random = new Random(4);
        var x = TestData.Uniform(random, 1, 2, 30, 3);
        var y = TestData.Uniform(random, 1, 2, 30, 2);
        var (cpu, gpu) = Pair(
            () => new Sequential(new SimpleRnn(17, ActivationKind.Relu, returnSequences: true, inputShape: [null, 3]), new TimeDistributed(new Dense(2))),
            m => m.Compile(new Sgd(0.01, momentum: 0.9, nesterov: true) { ClipNorm = 1 }, new RnnGpu.Losses.MeanSquaredError()));
        var hc = cpu.Fit(x, y, epochs: 4, batchSize: 2, verbose: 0, truncatedBpttSteps: 7);
        var hg = gpu.Fit(x, y, epochs: 4, batchSize: 2, verbose: 0, truncatedBpttSteps: 7);
        Assert.That(hg["loss"], Is.EqualTo(hc["loss"]).Within(1e-3).Percent);

        var statefulCpu = new Sequential(new SimpleRnn(17, ActivationKind.Relu, returnSequences: true, stateful: true, inputShape: [null, 3], batchSize: 1), new TimeDistributed(new Dense(2)));
        var statefulGpu = new Sequential(new SimpleRnn(17, ActivationKind.Relu, returnSequences: true, stateful: true, inputShape: [null, 3], batchSize: 1), new TimeDistributed(new Dense(2)));
        statefulCpu.UseBackend(new CpuBackend<float>(), seed: 1);
        statefulGpu.UseBackend(_gpu, seed: 1);
        statefulCpu.SetWeights(cpu.GetWeights());
        statefulGpu.SetWeights(cpu.GetWeights());
        var one = x.SliceRows(0, 1);
        for (int t = 0; t < 30; t++)
        {
            var step = Model.SliceSteps(one, t, 1);
            Assert.That(statefulGpu.Predict(step, batchSize: 1).Data, Is.EqualTo(statefulCpu.Predict(step, batchSize: 1).Data).Within(1e-4), $"step {t}");
        }
    }

    /// <summary>
    /// An LSTM that carries its state from chunk to chunk (truncated BPTT) and from batch to batch (stateful) trains to
    /// the same weights on both backends: the carried cell state is the next pass's initial one, which backward reads.
    /// </summary>
    [Test]
    public void Lstm_carrying_its_state_trains_alike_truncated_and_stateful()
    {
        var random = new Random(6);
        var x = TestData.Uniform(random, 1, 4, 9, 3);
        var y = TestData.Uniform(random, 1, 4, 9, 2);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Lstm(5, returnSequences: true, inputShape: [null, 3]), new TimeDistributed(new Dense(2))),
            m => m.Compile(new Sgd(0.3), new RnnGpu.Losses.MeanSquaredError()));
        cpu.Fit(x, y, epochs: 2, batchSize: 2, shuffle: false, verbose: 0, truncatedBpttSteps: 4);
        gpu.Fit(x, y, epochs: 2, batchSize: 2, shuffle: false, verbose: 0, truncatedBpttSteps: 4);
        AssertSameWeights(cpu, gpu, "truncated");

        var (statefulCpu, statefulGpu) = Pair(
            () => new Sequential(new Lstm(5, returnSequences: true, stateful: true, inputShape: [9, 3], batchSize: 2), new TimeDistributed(new Dense(2))),
            m => m.Compile(new Sgd(0.3), new RnnGpu.Losses.MeanSquaredError()));
        statefulCpu.Fit(x, y, epochs: 2, shuffle: false, verbose: 0);
        statefulGpu.Fit(x, y, epochs: 2, shuffle: false, verbose: 0);
        AssertSameWeights(statefulCpu, statefulGpu, "stateful");
    }

    private static void AssertSameWeights(Model cpu, Model gpu, string what)
    {
        var (expected, actual) = (cpu.GetWeights(), gpu.GetWeights());
        for (int i = 0; i < expected.Count; i++)
            Assert.That(actual[i].Data, Is.EqualTo(expected[i].Data).Within(1e-4), $"{what}: {cpu.Weights[i].Path}");
    }
    [Test]
    public void A_checkpoint_written_on_the_gpu_resumes_training_on_the_cpu_and_round_trips_through_the_device()
    {
        var random = new Random(4);
        var x = TestData.Uniform(random, 1, 24, 6, 3);
        var y = TestData.Labels([.. Enumerable.Range(0, 24).Select(i => i % 3)], 24);
        var (cpu, gpu) = Pair(
            () => new Sequential(new Gru(9, inputShape: [6, 3]), new Dense(3, ActivationKind.Softmax)),
            m => m.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy()));
        gpu.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0);
        string path = Path.Combine(Path.GetTempPath(), $"rnngpu-gpu-checkpoint-{Guid.NewGuid():N}.safetensors");
        string again = path + ".again";
        try
        {
            gpu.SaveWeights(path, includeOptimizer: true);
            cpu.LoadWeights(path);
            Assert.That(cpu.Optimizer!.Iterations, Is.EqualTo(6));
            cpu.Fit(x, y, epochs: 4, batchSize: 8, shuffle: false, verbose: 0, initialEpoch: 2);
            gpu.Fit(x, y, epochs: 4, batchSize: 8, shuffle: false, verbose: 0, initialEpoch: 2);
            var (expected, actual) = (gpu.GetWeights(), cpu.GetWeights());
            for (int i = 0; i < expected.Count; i++)
                Assert.That(actual[i].Data, Is.EqualTo(expected[i].Data).Within(1e-4), cpu.Weights[i].Path);

            var reloaded = new Sequential(new Gru(9, inputShape: [6, 3]), new Dense(3, ActivationKind.Softmax));
            reloaded.UseBackend(_gpu, seed: 3);
            reloaded.Compile(new Adam(0.01), new RnnGpu.Losses.SparseCategoricalCrossentropy());
            reloaded.LoadWeights(path);
            reloaded.SaveWeights(again, includeOptimizer: true);
            var (first, second) = (RnnGpu.IO.SafeTensorsFile.Read(path), RnnGpu.IO.SafeTensorsFile.Read(again));
            Assert.That(second.Tensors.Select(kv => kv.Key), Is.EqualTo(first.Tensors.Select(kv => kv.Key)));
            foreach (var (name, tensor) in first.Tensors)
                Assert.That(second[name].Data, Is.EqualTo(tensor.Data), $"{name} comes back from the device bit for bit");
        }
        finally
        {
            File.Delete(path);
            File.Delete(again);
        }
    }
}
