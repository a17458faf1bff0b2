using RnnGpu.Backends;
using RnnGpu.Graphs;
using RnnGpu.Optimizers;

namespace RnnGpu.Tests.Training;

/// <summary>Optimizer updates against the Keras formulas computed by hand, three steps each.</summary>
public class OptimizerTests
{
    private static readonly double[] Gradients = [0.5, -1.5, 0.25];

    private static double[] Run(Optimizer optimizer, double start = 1.0, Func<int, double>? gradient = null)
    {
        using var backend = new CpuBackend<double>();
        var p = new Parameter("w", backend.Upload([start, -start], [2]));
        var trace = new List<double>();
        for (int step = 0; step < 3; step++)
        {
            double g = gradient?.Invoke(step) ?? Gradients[step];
            using var grad = backend.Upload([g, -g], [2]);
            backend.Copy(grad, p.Grad);
            optimizer.Apply([p]);
            var v = new double[2];
            backend.Download(p.Value, v);
            trace.Add(v[0]);
            Assert.That(v[1], Is.EqualTo(-v[0]).Within(1e-12), "elementwise updates are symmetric");
        }
        return [.. trace];
    }

    [Test]
    public void Sgd_plain_momentum_and_nesterov()
    {
        Assert.That(Run(new Sgd(0.1)), Is.EqualTo(new[] { 0.95, 1.1, 1.075 }).Within(1e-12));
        // v = m·v - lr·g; w += v
        double w = 1, v = 0;
        var expected = Gradients.Select(g => { v = 0.9 * v - 0.1 * g; w += v; return w; }).ToArray();
        Assert.That(Run(new Sgd(0.1, momentum: 0.9)), Is.EqualTo(expected).Within(1e-12));
        // Nesterov: w += m·v - lr·g with the updated v
        w = 1; v = 0;
        expected = Gradients.Select(g => { v = 0.9 * v - 0.1 * g; w += 0.9 * v - 0.1 * g; return w; }).ToArray();
        Assert.That(Run(new Sgd(0.1, momentum: 0.9, nesterov: true)), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void RmsProp_keras_defaults()
    {
        double w = 1, a = 0;
        var expected = Gradients.Select(g => { a = 0.9 * a + 0.1 * g * g; w -= 0.001 * g / (Math.Sqrt(a) + 1e-7); return w; }).ToArray();
        Assert.That(Run(new RmsProp()), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Adam_keras_defaults_with_bias_correction()
    {
        double w = 1, m = 0, v = 0;
        int t = 0;
        var expected = Gradients.Select(g =>
        {
            t++;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double lr = 0.001 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t));
            w -= lr * m / (Math.Sqrt(v) + 1e-7);
            return w;
        }).ToArray();
        Assert.That(Run(new Adam()), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Clipping_by_value_and_by_norm()
    {
        // clipvalue 0.2: every step moves by lr·0.2 in the gradient's direction.
        Assert.That(Run(new Sgd(1.0) { ClipValue = 0.2 }), Is.EqualTo(new[] { 0.8, 1.0, 0.8 }).Within(1e-12));
        // clipnorm 0.5 on the tensor [g, -g] (norm |g|·√2): the step is lr·g·min(1, 0.5 / (|g|√2)).
        double w = 1;
        var expected = Gradients.Select(g => { double n = Math.Abs(g) * Math.Sqrt(2); w -= g * Math.Min(1, 0.5 / n); return w; }).ToArray();
        Assert.That(Run(new Sgd(1.0) { ClipNorm = 0.5 }), Is.EqualTo(expected).Within(1e-12));
        Assert.That(Run(new Sgd(1.0) { GlobalClipNorm = 0.5 }), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Learning_rate_can_change_between_steps()
    {
        var sgd = new Sgd(0.1);
        using var backend = new CpuBackend<double>();
        var p = new Parameter("w", backend.Upload([0.0], [1]));
        backend.Fill(p.Grad, 1);
        sgd.Apply([p]);
        sgd.LearningRate = 0.5;
        backend.Fill(p.Grad, 1);
        sgd.Apply([p]);
        var v = new double[1];
        backend.Download(p.Value, v);
        Assert.That(v[0], Is.EqualTo(-0.6).Within(1e-12));
        sgd.LearningRate = 0;                                  // Keras allows it: a schedule that decays to 0
        backend.Fill(p.Grad, 1);
        sgd.Apply([p]);
        backend.Download(p.Value, v);
        Assert.That(v[0], Is.EqualTo(-0.6).Within(1e-12));
        Assert.That(() => sgd.LearningRate = -0.1, Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => sgd.LearningRate = double.NaN, Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
