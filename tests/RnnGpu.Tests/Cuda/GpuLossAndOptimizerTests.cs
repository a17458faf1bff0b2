using NUnit.Framework;
using RnnGpu.Backends;

namespace RnnGpu.Tests.Cuda;

/// <summary>Losses (value and accumulated gradient), metrics and optimizer updates: GPU against CPU.</summary>
[TestFixture]
[Category("Gpu")]
public sealed class GpuLossAndOptimizerTests : GpuTestBase
{
    private (DeviceTensor G, DeviceTensor C)? Weights(int rows, bool weighted)
    {
        if (!weighted) return null;
        var w = new float[rows];
        for (int r = 0; r < rows; r++) w[r] = r % 4 == 0 ? 0f : (float)Rng.NextDouble();
        return Pair(w, rows);
    }

    private float[] OneHot(int rows, int classes, out int[] labels)
    {
        labels = new int[rows];
        var t = new float[rows * classes];
        for (int r = 0; r < rows; r++) { labels[r] = Rng.Next(classes); t[r * classes + labels[r]] = 1; }
        return t;
    }

    [TestCase(1, 1, false)]
    [TestCase(5, 3, true)]
    [TestCase(64, 1000, true)]
    [TestCase(300, 7, false)]
    public void SoftmaxCrossEntropyDenseSparseAndProbabilities(int rows, int classes, bool weighted)
    {
        var logits = Pair(Random(rows * classes, scale: 5), rows, classes);
        var w = Weights(rows, weighted);
        var oneHot = OneHot(rows, classes, out var labels);

        var dense = Pair(oneHot, rows, classes);
        var d = RandomPair(rows, classes);
        AssertClose("softmax CE one-hot", Gpu.SoftmaxCrossEntropy(logits.G, dense.G, w?.G, d.G, 0.37), Cpu.SoftmaxCrossEntropy(logits.C, dense.C, w?.C, d.C, 0.37), abs: 1e-4);
        AssertClose("dLogits one-hot", d);

        var sparse = IndexPair(labels, rows);
        AssertClose("softmax CE labels", Gpu.SoftmaxCrossEntropy(logits.G, sparse.G, w?.G, d.G, 1.0), Cpu.SoftmaxCrossEntropy(logits.C, sparse.C, w?.C, d.C, 1.0), abs: 1e-4);
        AssertClose("dLogits labels", d);

        var probabilities = Random(rows * classes, scale: 0.5, offset: 0.5);
        for (int r = 0; r < rows; r++)
        {
            float s = 0;
            for (int c = 0; c < classes; c++) s += probabilities[r * classes + c];
            for (int c = 0; c < classes; c++) probabilities[r * classes + c] /= s;
        }
        var soft = Pair(probabilities, rows, classes);
        AssertClose("softmax CE probabilities, loss only", Gpu.SoftmaxCrossEntropy(logits.G, soft.G, w?.G, null, 1.0), Cpu.SoftmaxCrossEntropy(logits.C, soft.C, w?.C, null, 1.0), abs: 1e-4);
        AssertClose("softmax CE probabilities", Gpu.SoftmaxCrossEntropy(logits.G, soft.G, w?.G, d.G, 2.0), Cpu.SoftmaxCrossEntropy(logits.C, soft.C, w?.C, d.C, 2.0), abs: 1e-4);
        AssertClose("dLogits probabilities", d);
    }

    [TestCase(1, 1, false)]
    [TestCase(17, 1, true)]
    [TestCase(40, 33, true)]
    public void ElementwiseLosses(int rows, int columns, bool weighted)
    {
        var w = Weights(rows, weighted);
        var targets = Pair(Random(rows * columns).Select(v => v > 0 ? 1f : 0f).ToArray(), rows, columns);

        var p = Random(rows * columns, scale: 0.5, offset: 0.5);
        p[0] = 1e-9f; // inside the clip: no gradient, as Keras
        var probabilities = Pair(p, rows, columns);
        var d = RandomPair(rows, columns);
        AssertClose("BCE", Gpu.BinaryCrossEntropy(probabilities.G, targets.G, w?.G, d.G, 0.5), Cpu.BinaryCrossEntropy(probabilities.C, targets.C, w?.C, d.C, 0.5), abs: 1e-4);
        AssertClose("dBCE", d, abs: 1e-4);

        var logits = Pair(Random(rows * columns, scale: 30), rows, columns);
        AssertClose("sigmoid BCE", Gpu.SigmoidBinaryCrossEntropy(logits.G, targets.G, w?.G, d.G, 1.5), Cpu.SigmoidBinaryCrossEntropy(logits.C, targets.C, w?.C, d.C, 1.5), abs: 1e-4);
        AssertClose("d sigmoid BCE", d);

        var predictions = RandomPair(rows, columns);
        var real = RandomPair(rows, columns);
        AssertClose("squared error", Gpu.SquaredError(predictions.G, real.G, w?.G, d.G, 0.25), Cpu.SquaredError(predictions.C, real.C, w?.C, d.C, 0.25), abs: 1e-4);
        AssertClose("d squared error", d);
        AssertClose("squared error, loss only", Gpu.SquaredError(predictions.G, real.G, null, null, 1), Cpu.SquaredError(predictions.C, real.C, null, null, 1), abs: 1e-4);
    }

    [TestCase(1, 4)]
    [TestCase(100, 10)]
    [TestCase(37, 1)]
    public void ArgMaxMetrics(int rows, int classes)
    {
        var predictions = RandomPair(rows, classes);
        var oneHot = Pair(OneHot(rows, classes, out var labels), rows, classes);
        var w = Weights(rows, true);
        Assert.That(Gpu.CountArgMaxMatches(predictions.G, oneHot.G, w?.G), Is.EqualTo(Cpu.CountArgMaxMatches(predictions.C, oneHot.C, w?.C)).Within(1e-4), "one-hot, weighted");
        if (classes > 1)
        {
            var sparse = IndexPair(labels, rows);
            Assert.That(Gpu.CountArgMaxMatches(predictions.G, sparse.G, null), Is.EqualTo(Cpu.CountArgMaxMatches(predictions.C, sparse.C, null)), "labels");
        }
        var g = new int[rows]; var c = new int[rows];
        Gpu.ArgMaxRows(predictions.G, g);
        Cpu.ArgMaxRows(predictions.C, c);
        Assert.That(g, Is.EqualTo(c));
    }

    [Test]
    public void OptimizerUpdatesOverSeveralSteps([Values(1, 1000, 65537)] int n)
    {
        var gradient = RandomPair(n);
        var sgd = RandomPair(n);
        var momentum = RandomPair(n); var velocity = Pair(new float[n], n);
        var nesterov = RandomPair(n); var velocity2 = Pair(new float[n], n);
        var rms = RandomPair(n); var meanSquare = Pair(new float[n], n);
        var adam = RandomPair(n); var m = Pair(new float[n], n); var v = Pair(new float[n], n);
        for (int step = 1; step <= 5; step++)
        {
            foreach (var (be, gpu) in new[] { (Gpu, true), (Cpu, false) })
            {
                DeviceTensor S((DeviceTensor G, DeviceTensor C) p) => gpu ? p.G : p.C;
                be.SgdUpdate(S(sgd), S(gradient), null, 0.1, 0, false);
                be.SgdUpdate(S(momentum), S(gradient), S(velocity), 0.05, 0.9, false);
                be.SgdUpdate(S(nesterov), S(gradient), S(velocity2), 0.05, 0.9, true);
                be.RmsPropUpdate(S(rms), S(gradient), S(meanSquare), 0.001, 0.9, 1e-7);
                be.AdamUpdate(S(adam), S(gradient), S(m), S(v), 0.001, 0.9, 0.999, 1e-7, step);
            }
        }
        AssertClose("sgd", sgd);
        AssertClose("sgd momentum", momentum); AssertClose("velocity", velocity);
        AssertClose("sgd nesterov", nesterov); AssertClose("velocity nesterov", velocity2);
        AssertClose("rmsprop", rms); AssertClose("rmsprop mean square", meanSquare);
        AssertClose("adam", adam); AssertClose("adam m", m); AssertClose("adam v", v);
    }
}
