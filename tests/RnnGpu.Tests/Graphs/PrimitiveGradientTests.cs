using RnnGpu.Graphs;
using RnnGpu.Tests.Support;
using static RnnGpu.Tests.Support.GradientCheck;

namespace RnnGpu.Tests.Graphs;

/// <summary>Every primitive graph op against central finite differences in float64.</summary>
public class PrimitiveGradientTests
{
    private static readonly Random Rng = new(42);

    private static Leaf L(string name, params int[] shape) => GradientCheck.Random(name, Rng, 1.0, shape);

    [Test]
    public void MatMul_of_matrix_and_of_sequence() 
    {
        Check((g, p) => g.MatMul(p[0], p[1]), [L("a", 3, 4), L("b", 4, 5)]);
        Check((g, p) => g.MatMul(p[0], p[1]), [L("x", 2, 3, 4), L("w", 4, 2)]);
    }

    [Test]
    public void Add_subtract_multiply() 
    {
        Check((g, p) => g.Add(p[0], p[1]), [L("a", 3, 4), L("b", 3, 4)]);
        Check((g, p) => g.Subtract(p[0], p[1]), [L("a", 3, 4), L("b", 3, 4)]);
        Check((g, p) => g.Multiply(p[0], p[1]), [L("a", 3, 4), L("b", 3, 4)]);
        Check((g, p) => g.Multiply(p[0], p[0]), [L("a", 2, 5)]); // the same input twice: contributions must add up
    }

    [Test]
    public void Scalar_arithmetic()
    {
        Check((g, p) => g.Multiply(g.OneMinus(p[0]), p[1]), [L("z", 3, 4), L("h", 3, 4)]);
        Check((g, p) => g.Affine(g.Tanh(p[0]), -2.5, 0.75), [L("x", 2, 5)]);
        Check((g, p) => g.Scale(p[0], 3), [L("x", 4)]);
    }

    [Test]
    public void Reverse_time_of_a_sequence() => Check((g, p) => g.Multiply(g.ReverseTime(p[0]), p[1]), [L("x", 2, 3, 4), L("w", 2, 3, 4)]);

    [Test]
    public void Dropout_with_a_noise_shape() => Check((g, p) => g.Dropout(g.Tanh(p[0]), 0.5, new Random(3), [2, 1, 4]), [L("x", 2, 3, 4)]);

    [Test]
    public void Bias_add() => Check((g, p) => g.AddBias(p[0], p[1]), [L("x", 2, 3, 4), L("b", 4)]);

    [TestCase(ActivationKind.Tanh)]
    [TestCase(ActivationKind.Sigmoid)]
    [TestCase(ActivationKind.Softmax)]
    [TestCase(ActivationKind.Linear)]
    public void Activations(ActivationKind kind) => Check((g, p) => g.Activation(kind, p[0]), [L("x", 3, 5)]);

    [Test]
    public void Relu_away_from_the_kink()
    {
        var x = L("x", 4, 4);
        for (int i = 0; i < x.Values.Length; i++) x.Values[i] = Math.Abs(x.Values[i]) < 0.05 ? 0.5 : x.Values[i]; // finite differences are undefined at 0
        Check((g, p) => g.Relu(p[0]), [x]);
    }

    [Test]
    public void Slice_and_concat()
    {
        Check((g, p) => g.Slice(p[0], 1, 3), [L("x", 2, 6)]);
        Check((g, p) => g.Concat(p[0], p[1], p[0]), [L("a", 2, 3), L("b", 2, 2)]);
    }

    [Test]
    public void Reshape_timestep_and_stack()
    {
        Check((g, p) => g.Tanh(g.Reshape(p[0], 3, 4)), [L("x", 2, 6)]);
        Check((g, p) => g.Timestep(p[0], 1), [L("seq", 2, 3, 4)]);
        Check((g, p) => g.Stack([g.Tanh(p[0]), p[1], p[0]]), [L("a", 2, 3), L("b", 2, 3)]);
    }

    [Test]
    public void Gather_with_repeated_indices()
    {
        Check((g, p) =>
        {
            var idx = g.Own(g.Backend.UploadIndices([2, 0, 2, 3, 1, 2], [2, 3]));
            return g.Gather(p[0], idx);
        }, [L("table", 4, 3)]);
    }

    [Test]
    public void Dropout_with_a_fixed_mask() => Check((g, p) => g.Dropout(g.Tanh(p[0]), 0.4, new Random(5)), [L("x", 4, 6)]);

    [Test]
    public void Softmax_cross_entropy_sparse_and_dense_with_row_weights()
    {
        // The loss itself as the checked function's output: wrap it so the checker's MSE sees a 1-element output.
        Check((g, p) =>
        {
            var targets = g.Own(g.Backend.UploadIndices([0, 2, 1], [3]));
            var weights = g.Own(g.Backend.Upload([1.0, 0.0, 2.0], [3]));
            return ScalarLoss(g, p[0], (logits) => g.SoftmaxCrossEntropy(logits, targets, weights));
        }, [L("logits", 3, 4)]);
        Check((g, p) =>
        {
            var targets = g.Own(g.Backend.Upload([0.2, 0.8, 0, 0, 1, 0], [2, 3]));
            return ScalarLoss(g, p[0], (logits) => g.SoftmaxCrossEntropy(logits, targets));
        }, [L("logits", 2, 3)]);
    }

    [Test]
    public void Binary_losses()
    {
        Check((g, p) =>
        {
            var targets = g.Own(g.Backend.Upload([1.0, 0, 1, 0, 0.5, 1], [3, 2]));
            return ScalarLoss(g, p[0], x => g.SigmoidBinaryCrossEntropy(x, targets));
        }, [L("logits", 3, 2)]);
        var probabilities = new Leaf("p", [0.2, 0.7, 0.9, 0.4], [2, 2]);
        Check((g, p) =>
        {
            var targets = g.Own(g.Backend.Upload([1.0, 0, 1, 0], [2, 2]));
            return ScalarLoss(g, p[0], x => g.BinaryCrossEntropy(x, targets));
        }, [probabilities]);
    }

    /// <summary>
    /// Turns a fused loss op into a 1-element output whose gradient is the loss gradient times the upstream scalar,
    /// by recording a custom node: forward = loss value, backward = loss gradient scaled by the upstream gradient.
    /// </summary>
    private static Node ScalarLoss(Graph g, Node input, Func<Node, double> loss)
    {
        // Evaluate once to get the value, with the gradient seeded into a scratch node that mirrors the input.
        var mirror = g.Add(input, g.Constant(g.NewTensor(input.Shape)));
        double value = loss(mirror);
        var scalar = g.Backend.Upload([value], [1, 1]);
        var gradOfMirror = mirror.Grad;
        return g.Record(scalar, [mirror], "loss", node => () =>
        {
            // d(output)/d(mirror) is the seeded loss gradient; scale it by the upstream gradient of the scalar.
            var up = new double[1];
            g.Backend.Download(node.Grad!, up);
            g.Backend.Axpy(up[0] - 1, gradOfMirror!, gradOfMirror!);
        });
    }

    [Test]
    public void Element_wise_ops_need_equal_shapes_not_only_equal_sizes()
    {
        using var backend = new RnnGpu.Backends.CpuBackend<float>();
        using var g = new Graph(backend, training: false);
        Node N(params int[] shape) => g.Constant(g.NewTensor(shape));
        Assert.That(() => g.Add(N(2, 3), N(3, 2)), Throws.ArgumentException.With.Message.EqualTo("add: shapes (2, 3) and (3, 2) differ."));
        Assert.That(() => g.Multiply(N(6), N(2, 3)), Throws.ArgumentException.With.Message.EqualTo("multiply: shapes (6,) and (2, 3) differ."));
        Assert.That(() => g.Stack([N(2, 3), N(3, 2)]), Throws.ArgumentException.With.Message.EqualTo("Stack: step 1 is (3, 2), expected (2, 3)."));
        Assert.That(() => g.AddBias(N(2, 3), N(3, 1)), Throws.ArgumentException.With.Message.Contains("bias (3, 1) is not a vector as long as the last dimension of (2, 3)"));
        Assert.That(() => g.Reshape(N(2, 3), -1, -1), Throws.ArgumentException.With.Message.Contains("only one dimension may be -1"));
    }
}
