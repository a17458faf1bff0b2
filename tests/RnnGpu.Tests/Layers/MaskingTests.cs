using RnnGpu.Layers;
using RnnGpu.Tests.Support;

namespace RnnGpu.Tests.Layers;

/// <summary>
/// Keras <c>Masking</c>: its output is the input with the padded timesteps zeroed, the mask travels with that output
/// only (not with the input other branches read), and the padding value compares alike on every backend.
/// </summary>
public class MaskingTests
{
    /// <summary>Two sequences of 4 steps × 2 features; sequence 0 is padded at step 3, sequence 1 at step 1.</summary>
    private static Tensor PaddedWith(float padding)
    {
        var x = TestData.Uniform(new Random(3), 1, 2, 4, 2);
        for (int f = 0; f < 2; f++) { x[0, 3, f] = padding; x[1, 1, f] = padding; }
        return x;
    }

    [Test]
    public void Padded_timesteps_come_out_as_zeros()
    {
        var x = PaddedWith(-1);
        var model = new Sequential(new Masking(-1, inputShape: [4, 2]), new TimeDistributed(new Dense(1)));
        model.Build(Device.Cpu, seed: 1);
        model.SetWeights([new Tensor([1f, 1f], 2, 1), new Tensor([1f], 1)]);

        var y = model.Predict(x);
        Assert.That(y[0, 3, 0], Is.EqualTo(1f), "the bias alone: the padded step's features are zeros");
        Assert.That(y[1, 1, 0], Is.EqualTo(1f));
        Assert.That(y[0, 0, 0], Is.EqualTo(x[0, 0, 0] + x[0, 0, 1] + 1).Within(1e-6), "other steps pass through");
    }

    [Test]
    public void Masking_one_branch_leaves_the_others_that_read_the_same_input_unmasked()
    {
        var x = PaddedWith(-1);
        var input = new Input([4, 2]);
        var masked = new Lstm(3).Call(new Masking(-1).Call(input));
        var plain = new Lstm(3, returnSequences: true).Call(input);
        using var both = new Model([input], [masked, plain]);
        both.Build(Device.Cpu, seed: 1);
        using var plainOnly = new Model([input], [plain]); // the same layer, on the same weights, without a Masking branch

        var expected = plainOnly.Predict(x).Data;
        Assert.That(both.PredictAll(x)[1].Data, Is.EqualTo(expected), "the unmasked branch sees every step");
    }

    [Test]
    public void A_padding_value_without_an_exact_float_compares_alike_in_float_and_in_double()
    {
        var x = PaddedWith(0.1f);
        Tensor Run(Device device)
        {
            var model = new Sequential(new Masking(0.1, inputShape: [4, 2]), new SimpleRnn(2, returnSequences: true));
            model.Build(device, seed: 1);
            return model.Predict(x);
        }
        var single = Run(Device.Cpu);
        var twice = Run(Device.CpuFloat64);
        Assert.That(single[0, 3, 0], Is.EqualTo(single[0, 2, 0]), "the padded step repeats the state before it");
        Assert.That(twice.Data, Is.EqualTo(single.Data).Within(1e-6));
    }

    /// <summary>
    /// Keras starts the output chain of a masked recurrent layer at zero: steps before a row's first real step output 0
    /// (and a row with no real step has a zero last output) even when the initial state is not zero; the returned
    /// state is the initial one there. Rows: 0 has a padded first step, 1 is all padding.
    /// </summary>
    [TestCase(true, TestName = "Masked steps before the first real one output zeros from a given initial state (sequences)")]
    [TestCase(false, TestName = "A row with no real step outputs zeros from a given initial state (last output)")]
    public void Masked_steps_before_the_first_real_one_output_zeros_from_a_given_state(bool sequences)
    {
        var x = new Input([3, 1]);
        var h0 = new Input([2]);
        var outputs = new SimpleRnn(2, returnSequences: sequences, returnState: true).CallWithAllOutputs(new Masking(0).Call(x), h0);
        using var model = new Model([x, h0], outputs);
        model.Build(Device.Cpu, seed: 1);
        var state = new Tensor([0.5f, -0.5f, 0.25f, 0.75f], 2, 2);
        var result = model.PredictAll([new Tensor([0, 1, 2, 0, 0, 0], 2, 3, 1), state]);
        var (output, finalState) = (result[0], result[1]);
        if (sequences)
        {
            Assert.That(new[] { output[0, 0, 0], output[0, 0, 1] }, Is.EqualTo(new[] { 0f, 0f }), "row 0, step 0: padding before any real step");
            Assert.That(output[0, 1, 0], Is.Not.Zero, "row 0, step 1 is real");
            Assert.That(Enumerable.Range(0, 3).Select(t => output[1, t, 0]), Is.All.Zero, "row 1 is all padding");
        }
        else Assert.That(new[] { output[1, 0], output[1, 1] }, Is.EqualTo(new[] { 0f, 0f }), "row 1 never had a real step");
        Assert.That(new[] { finalState[1, 0], finalState[1, 1] }, Is.EqualTo(new[] { 0.25f, 0.75f }), "the state stays the initial one");
    }
}
