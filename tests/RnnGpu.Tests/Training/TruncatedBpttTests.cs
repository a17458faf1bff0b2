using RnnGpu.Backends;
using RnnGpu.Layers;
using RnnGpu.Optimizers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Training;

/// <summary>Truncated BPTT: chunks of k steps, state carried across chunks, no gradient across them.</summary>
public class TruncatedBpttTests
{
    private const int Batch = 2, Steps = 6, Units = 2;
    private const double LearningRate = 0.1;

    private static (Sequential Model, Tensor X, Tensor Y) Setup()
    {
        var random = new Random(21);
        var model = new Sequential(new SimpleRnn(Units, returnSequences: true, inputShape: [Steps, 1], biasInitializer: Initializer.Constant(0.1f)));
        model.Compile(new Sgd(LearningRate), new RnnGpu.Losses.MeanSquaredError(), device: Device.CpuFloat64, seed: 5);
        return (model, TestData.Uniform(random, 1, Batch, Steps, 1), TestData.Uniform(random, 0.8, Batch, Steps, Units));
    }

    [Test]
    public void With_k_at_least_T_it_is_full_bptt()
    {
        var (full, x, y) = Setup();
        var (truncated, _, _) = Setup();
        full.Fit(x, y, epochs: 2, batchSize: Batch, shuffle: false, verbose: 0);
        truncated.Fit(x, y, epochs: 2, batchSize: Batch, shuffle: false, verbose: 0, truncatedBpttSteps: Steps);
        for (int i = 0; i < full.Weights.Count; i++)
            Assert.That(truncated.GetWeights()[i].Data, Is.EqualTo(full.GetWeights()[i].Data));
    }

    [TestCase(3)]
    [TestCase(4)]
    public void With_k_below_T_each_chunk_updates_from_its_own_gradient_starting_at_the_carried_state(int k)
    {
        var (model, x, y) = Setup();
        var w0 = model.GetWeights();
        double[] w = [.. w0[0].Data.Select(v => (double)v)];       // [1, 2]
        double[] u = [.. w0[1].Data.Select(v => (double)v)];       // [2, 2]
        double[] b = [.. w0[2].Data.Select(v => (double)v)];       // [2]
        var h = new double[Batch, Units];                            // state carried across chunks, zero at the start

        for (int start = 0; start < Steps; start += k)
        {
            int len = Math.Min(k, Steps - start);
            // Forward over the chunk from the carried state.
            var hs = new double[Batch, len + 1, Units];
            for (int n = 0; n < Batch; n++) for (int j = 0; j < Units; j++) hs[n, 0, j] = h[n, j];
            for (int n = 0; n < Batch; n++)
                for (int t = 0; t < len; t++)
                    for (int j = 0; j < Units; j++)
                    {
                        double z = x[n, start + t, 0] * w[j] + b[j];
                        for (int i = 0; i < Units; i++) z += hs[n, t, i] * u[i * Units + j];
                        hs[n, t + 1, j] = Math.Tanh(z);
                    }
            // Backward within the chunk only: the carried state is a constant.
            var dw = new double[Units]; var du = new double[Units * Units]; var db = new double[Units];
            double scale = 2.0 / (Batch * len * Units);
            for (int n = 0; n < Batch; n++)
            {
                var dh = new double[Units];
                for (int t = len - 1; t >= 0; t--)
                {
                    var dpre = new double[Units];
                    for (int j = 0; j < Units; j++)
                    {
                        double ht = hs[n, t + 1, j];
                        dh[j] += scale * (ht - y[n, start + t, j]);
                        dpre[j] = dh[j] * (1 - ht * ht);
                        dw[j] += x[n, start + t, 0] * dpre[j];
                        db[j] += dpre[j];
                        for (int i = 0; i < Units; i++) du[i * Units + j] += hs[n, t, i] * dpre[j];
                    }
                    for (int i = 0; i < Units; i++)
                    {
                        dh[i] = 0;
                        for (int j = 0; j < Units; j++) dh[i] += dpre[j] * u[i * Units + j];
                    }
                }
                for (int j = 0; j < Units; j++) h[n, j] = hs[n, len, j];
            }
            for (int j = 0; j < Units; j++) { w[j] -= LearningRate * dw[j]; b[j] -= LearningRate * db[j]; }
            for (int i = 0; i < du.Length; i++) u[i] -= LearningRate * du[i];
        }

        model.Fit(x, y, epochs: 1, batchSize: Batch, shuffle: false, verbose: 0, truncatedBpttSteps: k);
        var after = model.GetWeights();
        Assert.That(after[0].Data, Is.EqualTo(w.Select(v => (float)v).ToArray()).Within(1e-6));
        Assert.That(after[1].Data, Is.EqualTo(u.Select(v => (float)v).ToArray()).Within(1e-6));
        Assert.That(after[2].Data, Is.EqualTo(b.Select(v => (float)v).ToArray()).Within(1e-6));
    }

    /// <summary>
    /// Truncated BPTT equals training chunk by chunk by hand: a functional model of the same layers that takes the
    /// initial states as inputs, fed each chunk with the final states the chunk before reached (computed, like truncated
    /// BPTT does, with the weights before that chunk's update). For the LSTM this checks the carried cell state too, whose
    /// initial value the backward pass reads.
    /// </summary>
    [TestCase(RecurrentKind.Lstm)]
    [TestCase(RecurrentKind.Gru)]
    [TestCase(RecurrentKind.SimpleRnn)]
    public void Truncated_bptt_is_chunk_by_chunk_training_from_the_carried_states(RecurrentKind kind)
    {
        const int samples = 3, steps = 7, features = 2, units = 3, k = 3, outputs = 2;
        var random = new Random(13);
        var x = TestData.Uniform(random, 1, samples, steps, features);
        var y = TestData.Uniform(random, 0.8, samples, steps, outputs);
        RecurrentLayer Layer(bool withState, int?[]? shape) => kind switch
        {
            RecurrentKind.Lstm => new Lstm(units, returnSequences: true, returnState: withState, inputShape: shape),
            RecurrentKind.Gru => new Gru(units, returnSequences: true, returnState: withState, inputShape: shape),
            _ => new SimpleRnn(units, returnSequences: true, returnState: withState, inputShape: shape),
        };
        void Compile(Model m) => m.Compile(new Sgd(LearningRate), new RnnGpu.Losses.MeanSquaredError(), device: Device.CpuFloat64, seed: 3);

        var truncated = new Sequential(Layer(false, [steps, features]), new TimeDistributed(new Dense(outputs)));
        Compile(truncated);

        var input = new Input([null, features]);
        var initial = Enumerable.Range(0, kind == RecurrentKind.Lstm ? 2 : 1).Select(_ => new Input([units])).ToArray();
        var recurrent = Layer(true, null).CallWithAllOutputs([input, .. initial]);
        var byHand = new Model([input, .. initial], [new TimeDistributed(new Dense(outputs)).Call(recurrent[0])]);
        Compile(byHand);
        byHand.SetWeights(truncated.GetWeights());
        using var finalStates = new Model([input, .. initial], recurrent[1..]);

        truncated.Fit(x, y, epochs: 1, batchSize: samples, shuffle: false, verbose: 0, truncatedBpttSteps: k);
        var states = initial.Select(_ => new Tensor(samples, units)).ToArray();
        for (int start = 0; start < steps; start += k)
        {
            int length = Math.Min(k, steps - start);
            Tensor[] chunk = [Model.SliceSteps(x, start, length), .. states];
            states = finalStates.PredictAll(chunk);
            byHand.Fit(chunk, Model.SliceSteps(y, start, length), epochs: 1, batchSize: samples, shuffle: false, verbose: 0);
        }

        for (int i = 0; i < truncated.Weights.Count; i++)
            Assert.That(truncated.GetWeights()[i].Data, Is.EqualTo(byHand.GetWeights()[i].Data).Within(1e-6), truncated.Weights[i].Path);
    }

    /// <summary>
    /// Token input <c>[N, T]</c> into an Embedding is a sequence too: truncated BPTT cuts it into chunks exactly as it
    /// cuts the same tokens one-hot encoded into a bias-free linear TimeDistributed(Dense), whose kernel is the table.
    /// </summary>
    [Test]
    public void Token_sequences_into_an_embedding_are_cut_into_chunks_like_float_sequences()
    {
        const int vocabulary = 5, width = 3, k = 2;
        var random = new Random(8);
        var tokens = new Tensor(Batch, Steps);
        for (int i = 0; i < tokens.Length; i++) tokens.Data[i] = random.Next(vocabulary);
        var oneHot = TestData.OneHot([.. tokens.Data.Select(v => (int)v)], vocabulary, Batch, Steps);
        var y = TestData.Uniform(random, 0.8, Batch, Steps, Units);

        Sequential Compiled(Layer first)
        {
            var model = new Sequential(first, new SimpleRnn(Units, returnSequences: true));
            model.Compile(new Sgd(LearningRate), new RnnGpu.Losses.MeanSquaredError(), device: Device.CpuFloat64, seed: 5);
            return model;
        }
        var embedded = Compiled(new Embedding(vocabulary, width, inputShape: [Steps]));
        var dense = Compiled(new TimeDistributed(new Dense(width, useBias: false), inputShape: [Steps, vocabulary]));
        dense.SetWeights(embedded.GetWeights());
        var full = Compiled(new Embedding(vocabulary, width, inputShape: [Steps]));
        full.SetWeights(embedded.GetWeights());

        embedded.Fit(tokens, y, epochs: 2, batchSize: Batch, shuffle: false, verbose: 0, truncatedBpttSteps: k);
        dense.Fit(oneHot, y, epochs: 2, batchSize: Batch, shuffle: false, verbose: 0, truncatedBpttSteps: k);
        full.Fit(tokens, y, epochs: 2, batchSize: Batch, shuffle: false, verbose: 0);
        for (int i = 0; i < embedded.Weights.Count; i++)
            Assert.That(embedded.GetWeights()[i].Data, Is.EqualTo(dense.GetWeights()[i].Data).Within(1e-6), embedded.Weights[i].Path);
        Assert.That(embedded.GetWeights()[1].Data, Is.Not.EqualTo(full.GetWeights()[1].Data).Within(1e-6), "truncated, not full BPTT");
    }

    [Test]
    public void Sequence_to_one_trains_on_the_last_chunk_after_advancing_the_state()
    {
        var random = new Random(3);
        var x = TestData.Uniform(random, 1, 4, 9, 2);
        var y = TestData.OneHot([0, 1, 1, 0], 2, 4);
        var model = new Sequential(new Lstm(4, inputShape: [9, 2]), new Dense(2, ActivationKind.Softmax));
        model.Compile(new Sgd(0.5), new RnnGpu.Losses.CategoricalCrossentropy(), device: Device.Cpu, seed: 2);
        var before = model.GetWeights();
        var history = model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, truncatedBpttSteps: 4);
        Assert.That(history["loss"], Has.Count.EqualTo(1));
        Assert.That(model.GetWeights()[0].Data, Is.Not.EqualTo(before[0].Data));
        // The carried state is dropped after the batch: a non-stateful layer starts every batch from zeros.
        Assert.That(((RecurrentLayer)model.Layers[0]).GetCarriedStates(), Is.Null);
    }

    [Test]
    public void A_post_padded_sequence_keeps_its_last_real_output_across_chunks()
    {
        // Row 1's real steps end in the first chunk; the last chunk is all padding for it, and must still hand the
        // classifier the output of its last real step (the state carried within one batch continues the sequence).
        var random = new Random(8);
        var x = TestData.Uniform(random, 1, 2, 6, 2);
        for (int t = 2; t < 6; t++) for (int f = 0; f < 2; f++) x[1, t, f] = 0;
        var y = TestData.Uniform(random, 1, 2, 1);
        var model = new Sequential(new Masking(0, inputShape: [6, 2]), new Lstm(3), new Dense(1));
        model.Compile(new Sgd(0), new RnnGpu.Losses.MeanSquaredError(), device: Device.CpuFloat64, seed: 4);
        double full = model.Fit(x, y, batchSize: 2, shuffle: false, verbose: 0)["loss"][0];
        double chunked = model.Fit(x, y, batchSize: 2, shuffle: false, verbose: 0, truncatedBpttSteps: 2)["loss"][0];
        Assert.That(chunked, Is.EqualTo(full).Within(1e-12));
    }

    [Test]
    public void A_stateful_row_without_real_steps_outputs_zeros_in_every_chunk()
    {
        // Batch 2 (one row) is all padding. A stateful layer's next batch is a new call in Keras's terms, so that row's
        // output is zero, not the state carried from batch 1, in every chunk, as without truncation.
        var x = new Tensor([0.3f, 0.5f, 0.7f, 0.9f, 0, 0, 0, 0], 2, 4, 1);
        var y = new Tensor([0.5f, -0.5f], 2, 1);
        Sequential Make()
        {
            var model = new Sequential(new Masking(0, inputShape: [4, 1], batchSize: 1), new SimpleRnn(2, stateful: true), new Dense(1));
            model.Compile(new Sgd(0), new RnnGpu.Losses.MeanSquaredError(), device: Device.CpuFloat64, seed: 7);
            return model;
        }
        double whole = Make().Fit(x, y, batchSize: 1, shuffle: false, verbose: 0)["loss"][0];
        double chunked = Make().Fit(x, y, batchSize: 1, shuffle: false, verbose: 0, truncatedBpttSteps: 2)["loss"][0];
        Assert.That(chunked, Is.EqualTo(whole).Within(1e-12));
    }
}
