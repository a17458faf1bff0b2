using RnnGpu.Backends;
using RnnGpu.Graphs;
using RnnGpu.Tests.Support;
using static RnnGpu.Tests.Support.GradientCheck;

namespace RnnGpu.Tests.Layers;

/// <summary>
/// The fused recurrent ops (all cells and options) against finite differences in float64: gradients with respect to
/// the input sequence, the initial states and all three weights, with loss terms on every step's output and on the
/// final states.
/// </summary>
public class RecurrentGradientTests
{
    public static IEnumerable<TestCaseData> Specs()
    {
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.SimpleRnn, 3, ActivationKind.Tanh)).SetName("SimpleRNN tanh");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.SimpleRnn, 3, ActivationKind.Relu)).SetName("SimpleRNN relu");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.SimpleRnn, 3, ActivationKind.Linear)).SetName("SimpleRNN linear");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Lstm, 3)).SetName("LSTM");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Gru, 3, ResetAfter: true)).SetName("GRU reset after");
        yield return new TestCaseData(new RecurrentSpec(RecurrentKind.Gru, 3, ResetAfter: false)).SetName("GRU reset before");
    }

    [TestCaseSource(nameof(Specs))]
    public void Gradients_of_every_input(RecurrentSpec spec) => CheckSpec(spec, masked: false);

    [TestCaseSource(nameof(Specs))]
    public void Gradients_with_padded_steps_masked(RecurrentSpec spec) => CheckSpec(spec, masked: true);

    [Test]
    public void Batch_one_hidden_one_long_sequence() => CheckSpec(new RecurrentSpec(RecurrentKind.Lstm, 1), masked: false, batch: 1, steps: 12, features: 2);

    private static void CheckSpec(RecurrentSpec spec, bool masked, int batch = 2, int steps = 4, int features = 2)
    {
        var random = new Random(7);
        int h = spec.Units, gh = spec.Gates * h;
        var leaves = new List<Leaf>
        {
            GradientCheck.Random("x", random, 1.0, batch, steps, features),
            GradientCheck.Random("h0", random, 0.5, batch, h),
            GradientCheck.Random("kernel", random, 0.6, features, gh),
            GradientCheck.Random("recurrent_kernel", random, 0.6, h, gh),
            GradientCheck.Random("bias", random, 0.3, spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? [2, gh] : [gh]),
        };
        if (spec.HasCellState) leaves.Add(GradientCheck.Random("c0", random, 0.5, batch, h));
        if (spec.Activation == ActivationKind.Relu) leaves[2] = leaves[2] with { Values = [.. leaves[2].Values.Select(v => v + 0.3)] }; // keep pre-activations away from the kink

        // Mask: the second sequence is padded at the front and at one step in the middle (post-padding also happens in practice).
        double[] mask = new double[batch * steps];
        for (int i = 0; i < mask.Length; i++) mask[i] = 1;
        if (masked && batch > 1) { mask[steps] = 0; mask[steps + 2] = 0; }

        Check((g, p) =>
        {
            var x = p[0];
            if (masked) x.Mask = g.Own(g.Backend.Upload(mask, [batch, steps]));
            var outs = g.Recurrent(spec, x, p[1], spec.HasCellState ? p[5] : null, p[2], p[3], p[4]);
            var parts = new List<Node> { g.Reshape(outs.Sequence, batch, steps * h), outs.FinalH };
            if (outs.FinalC is not null) parts.Add(outs.FinalC);
            return g.Concat([.. parts]);
        }, leaves);
    }
}
