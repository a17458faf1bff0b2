using System.Numerics.Tensors;
using RnnGpu.Backends.Cpu;

namespace RnnGpu.Backends;

public sealed unsafe partial class CpuBackend<T>
{
    /// <inheritdoc />
    public double SoftmaxCrossEntropy(DeviceTensor logits, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dLogits, double scale)
    {
        int n = logits.Rows, c = logits.Columns;
        var x = F(logits).Span;
        bool sparse = targets.Type == DType.Int32;
        if (sparse ? targets.Length != n : targets.Length != logits.Length)
            throw new ArgumentException($"Targets {ShapeUtil.Format(targets.Shape)} do not match logits {ShapeUtil.Format(logits.Shape)}.");
        Span<T> probs = c <= 1024 ? stackalloc T[c] : new T[c];
        double total = 0;
        T s = T.CreateChecked(scale);
        for (int r = 0; r < n; r++)
        {
            T w = Weight(rowWeights, r);
            if (w == T.Zero) continue;
            var row = x.Slice(r * c, c);
            T max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, probs);
            TensorPrimitives.Exp(probs, probs);
            T sumExp = TensorPrimitives.Sum<T>(probs);
            T logSumExp = T.Log(sumExp) + max;
            TensorPrimitives.Divide(probs, sumExp, probs);
            T loss, targetMass;
            if (sparse)
            {
                int label = I(targets).Span[r];
                loss = logSumExp - row[label];
                targetMass = T.One;
            }
            else
            {
                var t = F(targets).Span.Slice(r * c, c);
                targetMass = TensorPrimitives.Sum<T>(t);
                loss = logSumExp * targetMass - TensorPrimitives.Dot(t, row);
            }
            total += double.CreateChecked(w * loss);
            if (dLogits is null) continue;
            var d = F(dLogits).Span.Slice(r * c, c);
            T k = s * w;
            for (int j = 0; j < c; j++)
            {
                T target = sparse ? (j == I(targets).Span[r] ? T.One : T.Zero) : F(targets).Span[r * c + j];
                d[j] += k * (probs[j] * targetMass - target);
            }
        }
        return total;
    }

    /// <inheritdoc />
    public double BinaryCrossEntropy(DeviceTensor probabilities, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dProbabilities, double scale)
    {
        T eps = T.CreateChecked(1e-7), hi = T.One - eps;
        return Elementwise(probabilities, targets, rowWeights, dProbabilities, scale, (p, t) =>
        {
            T pc = T.Clamp(p, eps, hi);
            T loss = -(t * T.Log(pc) + (T.One - t) * T.Log(T.One - pc));
            T grad = p < eps || p > hi ? T.Zero : -t / pc + (T.One - t) / (T.One - pc);
            return (loss, grad);
        });
    }

    /// <inheritdoc />
    public double SigmoidBinaryCrossEntropy(DeviceTensor logits, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dLogits, double scale) =>
        Elementwise(logits, targets, rowWeights, dLogits, scale, (x, t) =>
        {
            T loss = T.Max(x, T.Zero) - x * t + T.Log(T.One + T.Exp(-T.Abs(x)));
            return (loss, T.One / (T.One + T.Exp(-x)) - t);
        });

    /// <inheritdoc />
    public double SquaredError(DeviceTensor predictions, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dPredictions, double scale) =>
        Elementwise(predictions, targets, rowWeights, dPredictions, scale, (p, t) => ((p - t) * (p - t), (p - t) * T.CreateChecked(2)));

    /// <inheritdoc />
    public double CountArgMaxMatches(DeviceTensor predictions, DeviceTensor targets, DeviceTensor? rowWeights)
    {
        int n = predictions.Rows, c = predictions.Columns;
        var p = F(predictions).Span;
        T half = T.CreateChecked(0.5);
        double count = 0;
        for (int r = 0; r < n; r++)
        {
            T w = Weight(rowWeights, r);
            if (w == T.Zero) continue;
            bool match;
            if (c == 1) match = (p[r] > half) == (F(targets).Span[r] > half); // binary accuracy
            else
            {
                int predicted = TensorPrimitives.IndexOfMax(p.Slice(r * c, c));
                int actual = targets.Type == DType.Int32 ? I(targets).Span[r] : TensorPrimitives.IndexOfMax(F(targets).Span.Slice(r * c, c));
                match = predicted == actual;
            }
            if (match) count += double.CreateChecked(w);
        }
        return count;
    }

    /// <inheritdoc />
    public void ArgMaxRows(DeviceTensor x, Span<int> destination)
    {
        int c = x.Columns;
        var s = F(x).Span;
        for (int r = 0; r < x.Rows; r++) destination[r] = TensorPrimitives.IndexOfMax(s.Slice(r * c, c));
    }

    private T Weight(DeviceTensor? rowWeights, int row) => rowWeights is null ? T.One : F(rowWeights).Span[row];

    /// <summary>Shared body of the elementwise losses: Σ w·loss and d += scale·w·∂loss.</summary>
    private double Elementwise(DeviceTensor input, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dInput, double scale, Func<T, T, (T Loss, T Grad)> f)
    {
        if (input.Length != targets.Length)
            throw new ArgumentException($"Targets {ShapeUtil.Format(targets.Shape)} do not match predictions {ShapeUtil.Format(input.Shape)}.");
        var x = F(input).Span; var t = F(targets).Span;
        var d = dInput is null ? Span<T>.Empty : F(dInput).Span;
        int c = input.Columns;
        T s = T.CreateChecked(scale);
        double total = 0;
        for (int i = 0; i < x.Length; i++)
        {
            T w = Weight(rowWeights, i / c);
            if (w == T.Zero) continue;
            var (loss, grad) = f(x[i], t[i]);
            total += double.CreateChecked(w * loss);
            if (!d.IsEmpty) d[i] += s * w * grad;
        }
        return total;
    }

    // ------------------------------------------------------------------ optimizer updates

    /// <inheritdoc />
    public void SgdUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor? velocity, double learningRate, double momentum, bool nesterov)
    {
        var p = F(parameter).Span; var g = F(gradient).Span;
        T lr = T.CreateChecked(learningRate), mu = T.CreateChecked(momentum);
        if (velocity is null)
        {
            TensorPrimitives.MultiplyAdd(g, -lr, p, p);
            return;
        }
        var v = F(velocity).Span;
        for (int i = 0; i < p.Length; i++)
        {
            v[i] = mu * v[i] - lr * g[i];
            p[i] += nesterov ? mu * v[i] - lr * g[i] : v[i];
        }
    }

    /// <inheritdoc />
    public void RmsPropUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor meanSquare, double learningRate, double rho, double epsilon)
    {
        var p = F(parameter).Span; var g = F(gradient).Span; var a = F(meanSquare).Span;
        T lr = T.CreateChecked(learningRate), r = T.CreateChecked(rho), eps = T.CreateChecked(epsilon);
        for (int i = 0; i < p.Length; i++)
        {
            a[i] = r * a[i] + (T.One - r) * g[i] * g[i];
            p[i] -= lr * g[i] / (T.Sqrt(a[i]) + eps);
        }
    }

    /// <inheritdoc />
    public void AdamUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor m, DeviceTensor v, double learningRate, double beta1, double beta2, double epsilon, long step)
    {
        var p = F(parameter).Span; var g = F(gradient).Span; var ms = F(m).Span; var vs = F(v).Span;
        T b1 = T.CreateChecked(beta1), b2 = T.CreateChecked(beta2), eps = T.CreateChecked(epsilon);
        T lrT = T.CreateChecked(learningRate * Math.Sqrt(1 - Math.Pow(beta2, step)) / (1 - Math.Pow(beta1, step)));
        for (int i = 0; i < p.Length; i++)
        {
            ms[i] = b1 * ms[i] + (T.One - b1) * g[i];
            vs[i] = b2 * vs[i] + (T.One - b2) * g[i] * g[i];
            p[i] -= lrT * ms[i] / (T.Sqrt(vs[i]) + eps);
        }
    }
}
