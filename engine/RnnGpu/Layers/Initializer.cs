namespace RnnGpu.Layers;

/// <summary>
/// Fills a new weight tensor. Weights are initialised in host memory from the model's seeded random source and
/// then uploaded, so a CPU and a GPU model built with the same seed start from identical weights.
/// </summary>
public abstract class Initializer
{
    /// <summary>Fills <paramref name="data"/> (row-major, of the given shape).</summary>
    public abstract void Fill(Span<float> data, int[] shape, Random random);

    /// <summary>Keras <c>glorot_uniform</c>: U(-l, l) with l = √(6 / (fan_in + fan_out)).</summary>
    public static Initializer GlorotUniform { get; } = new Lambda((data, shape, random) =>
    {
        var (fanIn, fanOut) = Fans(shape);
        double limit = Math.Sqrt(6.0 / Math.Max(1, fanIn + fanOut));
        for (int i = 0; i < data.Length; i++) data[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    });

    /// <summary>Keras <c>orthogonal</c> (gain 1): the Q factor of a Gaussian matrix, shaped [rows = shape[0], columns = the rest].</summary>
    public static Initializer Orthogonal { get; } = new Lambda(OrthogonalFill);

    /// <summary>All zeros.</summary>
    public static Initializer Zeros { get; } = Constant(0);

    /// <summary>All ones.</summary>
    public static Initializer Ones { get; } = Constant(1);

    /// <summary>Every element equal to <paramref name="value"/>.</summary>
    public static Initializer Constant(float value) => new Lambda((data, _, _) => data.Fill(value));

    /// <summary>U(min, max) (Keras <c>RandomUniform</c>; the Embedding default is U(-0.05, 0.05)).</summary>
    public static Initializer RandomUniform(double min = -0.05, double max = 0.05) =>
        new Lambda((data, _, random) => { for (int i = 0; i < data.Length; i++) data[i] = (float)(min + random.NextDouble() * (max - min)); });

    /// <summary>N(mean, stddev²).</summary>
    public static Initializer RandomNormal(double mean = 0, double stddev = 0.05) =>
        new Lambda((data, _, random) => { for (int i = 0; i < data.Length; i++) data[i] = (float)(mean + stddev * Gaussian(random)); });

    /// <summary>A user function given the shape, as in the Keras tutorials' custom initializers; it must return exactly that shape.</summary>
    public static Initializer FromFunction(Func<int[], Tensor> create) => new Lambda((data, shape, _) =>
    {
        var t = create((int[])shape.Clone());
        if (!ShapeUtil.Equal(t.Shape, shape))
            throw new ArgumentException($"Initializer function returned shape {ShapeUtil.Format(t.Shape)} for a weight of shape {ShapeUtil.Format(shape)}.");
        t.Data.CopyTo(data);
    });

    internal static (int FanIn, int FanOut) Fans(int[] shape) => shape.Length switch
    {
        0 => (1, 1),
        1 => (shape[0], shape[0]),
        2 => (shape[0], shape[1]),
        _ => (shape[^2] * ShapeUtil.Size(shape[..^2]), shape[^1] * ShapeUtil.Size(shape[..^2])),
    };

    internal static double Gaussian(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static void OrthogonalFill(Span<float> data, int[] shape, Random random)
    {
        int rows = shape.Length == 0 ? 1 : shape[0], cols = data.Length / Math.Max(1, rows);
        if (rows == 0 || cols == 0) return;
        // Orthonormalise `narrow` Gaussian vectors of length `tall` (modified Gram-Schmidt in double, each vector
        // contiguous so the dot products vectorise), then lay them out as [rows, cols].
        int tall = Math.Max(rows, cols), narrow = Math.Min(rows, cols);
        var q = new double[narrow][];
        for (int j = 0; j < narrow; j++)
        {
            var v = q[j] = new double[tall];
            for (int i = 0; i < tall; i++) v[i] = Gaussian(random);
            for (int k = 0; k < j; k++)
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(q[k], -System.Numerics.Tensors.TensorPrimitives.Dot<double>(q[k], v), v, v);
            System.Numerics.Tensors.TensorPrimitives.Divide(v, System.Numerics.Tensors.TensorPrimitives.Norm<double>(v), v);
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                data[r * cols + c] = (float)(rows >= cols ? q[c][r] : q[r][c]);
    }

    private sealed class Lambda(FillFunction fill) : Initializer
    {
        public override void Fill(Span<float> data, int[] shape, Random random) => fill(data, shape, random);
    }

    private delegate void FillFunction(Span<float> data, int[] shape, Random random);
}
