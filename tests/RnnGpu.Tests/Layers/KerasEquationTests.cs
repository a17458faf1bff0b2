using RnnGpu.Layers;

namespace RnnGpu.Tests.Layers;

/// <summary>
/// Forward passes of the built-in layers recomputed step by step with plain loops from the Keras equations, like the
/// tutorial that checks tanh(x·Wxh + h·Whh + b) by hand.
/// </summary>
public class KerasEquationTests
{
    private const int Batch = 2, Steps = 5, Features = 3, Units = 4;

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    private static (Tensor X, float[] Out) Run(Layer layer, bool returnSequences)
    {
        var model = new Sequential(layer);
        model.Build(Device.Cpu, seed: 3);
        // Non-trivial biases so every bias term is exercised.
        var weights = model.GetWeights().Select(w => w.Clone()).ToList();
        var random = new Random(5);
        foreach (var w in weights) for (int i = 0; i < w.Length; i++) w.Data[i] += (float)(random.NextDouble() * 0.4 - 0.2);
        model.SetWeights(weights);
        var x = new Tensor(Batch, Steps, Features);
        for (int i = 0; i < x.Length; i++) x.Data[i] = (float)(random.NextDouble() * 2 - 1);
        return (x, model.Predict(x).Data);
    }

    private static float Dot(Tensor m, int column, ReadOnlySpan<float> v, int rowOffset = 0)
    {
        float s = 0;
        for (int r = 0; r < v.Length; r++) s += v[r] * m.Data[(r + rowOffset) * m.Shape[1] + column];
        return s;
    }

    [TestCase(ActivationKind.Tanh)]
    [TestCase(ActivationKind.Relu)]
    public void SimpleRnn_is_act_of_x_W_plus_h_U_plus_b(ActivationKind activation)
    {
        var layer = new SimpleRnn(Units, activation, returnSequences: true, inputShape: [Steps, Features]);
        var (x, output) = Run(layer, true);
        var (w, u, b) = (layer.Kernel.Parameter.ToHost(), layer.RecurrentKernel.Parameter.ToHost(), layer.Bias.Parameter.ToHost());
        for (int n = 0; n < Batch; n++)
        {
            var h = new float[Units];
            for (int t = 0; t < Steps; t++)
            {
                var xt = x.Data.AsSpan((n * Steps + t) * Features, Features);
                var next = new float[Units];
                for (int j = 0; j < Units; j++)
                {
                    float z = Dot(w, j, xt) + Dot(u, j, h) + b.Data[j];
                    next[j] = activation == ActivationKind.Tanh ? MathF.Tanh(z) : MathF.Max(0, z);
                    Assert.That(output[(n * Steps + t) * Units + j], Is.EqualTo(next[j]).Within(1e-5), $"batch {n} step {t} unit {j}");
                }
                h = next;
            }
        }
    }

    [Test]
    public void Lstm_gates_i_f_c_o()
    {
        var layer = new Lstm(Units, returnSequences: true, inputShape: [Steps, Features]);
        var (x, output) = Run(layer, true);
        var (w, u, b) = (layer.Kernel.Parameter.ToHost(), layer.RecurrentKernel.Parameter.ToHost(), layer.Bias.Parameter.ToHost());
        for (int n = 0; n < Batch; n++)
        {
            var h = new float[Units];
            var c = new float[Units];
            for (int t = 0; t < Steps; t++)
            {
                var xt = x.Data.AsSpan((n * Steps + t) * Features, Features).ToArray();
                var hn = new float[Units];
                for (int j = 0; j < Units; j++)
                {
                    float Gate(int g) => Dot(w, g * Units + j, xt) + Dot(u, g * Units + j, h) + b.Data[g * Units + j];
                    float i = Sigmoid(Gate(0)), f = Sigmoid(Gate(1)), cc = MathF.Tanh(Gate(2)), o = Sigmoid(Gate(3));
                    c[j] = f * c[j] + i * cc;
                    hn[j] = o * MathF.Tanh(c[j]);
                    Assert.That(output[(n * Steps + t) * Units + j], Is.EqualTo(hn[j]).Within(1e-5), $"batch {n} step {t} unit {j}");
                }
                h = hn;
            }
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Gru_gates_z_r_h(bool resetAfter)
    {
        var layer = new Gru(Units, returnSequences: true, resetAfter: resetAfter, inputShape: [Steps, Features]);
        var (x, output) = Run(layer, true);
        var (w, u, b) = (layer.Kernel.Parameter.ToHost(), layer.RecurrentKernel.Parameter.ToHost(), layer.Bias.Parameter.ToHost());
        int gh = 3 * Units;
        for (int n = 0; n < Batch; n++)
        {
            var h = new float[Units];
            for (int t = 0; t < Steps; t++)
            {
                var xt = x.Data.AsSpan((n * Steps + t) * Features, Features).ToArray();
                var hn = new float[Units];
                // Reset-before needs r for every unit before any candidate: compute the gates first.
                var z = new float[Units];
                var r = new float[Units];
                for (int j = 0; j < Units; j++)
                {
                    float recurrentBias(int g) => resetAfter ? b.Data[gh + g * Units + j] : 0;
                    z[j] = Sigmoid(Dot(w, j, xt) + b.Data[j] + Dot(u, j, h) + recurrentBias(0));
                    r[j] = Sigmoid(Dot(w, Units + j, xt) + b.Data[Units + j] + Dot(u, Units + j, h) + recurrentBias(1));
                }
                var rh = h.Select((v, j) => r[j] * v).ToArray();
                for (int j = 0; j < Units; j++)
                {
                    float xh = Dot(w, 2 * Units + j, xt) + b.Data[2 * Units + j];
                    float candidate = resetAfter
                        ? MathF.Tanh(xh + r[j] * (Dot(u, 2 * Units + j, h) + b.Data[gh + 2 * Units + j]))
                        : MathF.Tanh(xh + Dot(u, 2 * Units + j, rh));
                    hn[j] = z[j] * h[j] + (1 - z[j]) * candidate;
                    Assert.That(output[(n * Steps + t) * Units + j], Is.EqualTo(hn[j]).Within(1e-5), $"batch {n} step {t} unit {j}");
                }
                h = hn;
            }
        }
    }

    [Test]
    public void Lstm_starts_with_unit_forget_bias_and_orthogonal_recurrent_kernel()
    {
        var layer = new Lstm(Units, inputShape: [Steps, Features]);
        new Sequential(layer).Build(Device.Cpu, seed: 1);
        var bias = layer.Bias.Parameter.ToHost().Data;
        Assert.That(bias[..Units], Is.All.EqualTo(0f));
        Assert.That(bias[Units..(2 * Units)], Is.All.EqualTo(1f));
        Assert.That(bias[(2 * Units)..], Is.All.EqualTo(0f));
        // Orthogonal [H, 4H]: its rows are orthonormal.
        var u = layer.RecurrentKernel.Parameter.ToHost();
        for (int a = 0; a < Units; a++)
            for (int c = 0; c < Units; c++)
            {
                double dot = 0;
                for (int k = 0; k < 4 * Units; k++) dot += u.Data[a * 4 * Units + k] * u.Data[c * 4 * Units + k];
                Assert.That(dot, Is.EqualTo(a == c ? 1 : 0).Within(1e-5));
            }
    }

    [Test]
    public void User_initializer_delegate_receives_the_shape()
    {
        int[]? seen = null;
        var layer = new SimpleRnn(3, kernelInitializer: Initializer.FromFunction(shape => { seen = shape; return new Tensor(Enumerable.Repeat(0.5f, ShapeUtil.Size(shape)).ToArray(), shape); }), inputShape: [null, 1]);
        new Sequential(layer).Build(Device.Cpu, seed: 1);
        Assert.That(seen, Is.EqualTo(new[] { 1, 3 }));
        Assert.That(layer.Kernel.Parameter.ToHost().Data, Is.All.EqualTo(0.5f));
    }
}
