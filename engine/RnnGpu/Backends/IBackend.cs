namespace RnnGpu.Backends;

/// <summary>
/// The seam between the engine and the hardware. Layers, the graph and the optimizers speak only to this
/// interface; the CPU backend is the reference implementation every other backend is tested against.
/// </summary>
/// <remarks>
/// Conventions: tensors are row-major; a rank-N tensor is seen by matrix operations as
/// <c>[rows = product of leading dims, columns = last dim]</c>. Float tensors have the backend's
/// <see cref="FloatType"/>. Operations named <c>...Backward</c> and every gradient output accumulate (+=).
/// Scalars cross the seam as <see cref="double"/>. Operations may run asynchronously; methods that return a
/// host value synchronise.
/// </remarks>
public interface IBackend : IDisposable
{
    /// <summary>Human-readable name, e.g. "CPU (float32, 2 threads)" or "CUDA NVIDIA H100 (sm_90)".</summary>
    string Name { get; }

    /// <summary>Element type of float tensors on this backend.</summary>
    DType FloatType { get; }

    // ---------------------------------------------------------------- memory

    /// <summary>A zero-filled float tensor.</summary>
    DeviceTensor Allocate(params int[] shape);

    /// <summary>A float tensor holding a copy of <paramref name="data"/>.</summary>
    DeviceTensor Upload(ReadOnlySpan<float> data, int[] shape);

    /// <summary>A float tensor holding a copy of <paramref name="data"/> (converted to <see cref="FloatType"/>).</summary>
    DeviceTensor Upload(ReadOnlySpan<double> data, int[] shape);

    /// <summary>An <see cref="DType.Int32"/> tensor holding a copy of <paramref name="data"/>.</summary>
    DeviceTensor UploadIndices(ReadOnlySpan<int> data, int[] shape);

    /// <summary>Copies a float tensor to host memory (synchronises).</summary>
    void Download(DeviceTensor source, Span<float> destination);

    /// <summary>Copies a float tensor to host memory (synchronises).</summary>
    void Download(DeviceTensor source, Span<double> destination);

    /// <summary>A tensor sharing <paramref name="source"/>'s storage with another shape of the same size. Disposing a view releases nothing.</summary>
    DeviceTensor View(DeviceTensor source, int[] shape);

    /// <summary>dst = src (same length).</summary>
    void Copy(DeviceTensor source, DeviceTensor destination);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    void Fill(DeviceTensor tensor, double value);

    /// <summary>Waits until all queued work has finished.</summary>
    void Synchronize();

    // ---------------------------------------------------------------- linear algebra

    /// <summary>c = alpha·op(a)·op(b) + beta·c on the matrix views, op = transpose when the flag is set.</summary>
    void Gemm(DeviceTensor a, bool transposeA, DeviceTensor b, bool transposeB, DeviceTensor c, double alpha = 1, double beta = 0);

    /// <summary>y += alpha·x.</summary>
    void Axpy(double alpha, DeviceTensor x, DeviceTensor y);

    /// <summary>x *= alpha, in place.</summary>
    void Scale(DeviceTensor x, double alpha);

    // ---------------------------------------------------------------- elementwise (equal lengths; y may alias an input)

    /// <summary>y = a + b.</summary>
    void Add(DeviceTensor a, DeviceTensor b, DeviceTensor y);

    /// <summary>y = a - b.</summary>
    void Subtract(DeviceTensor a, DeviceTensor b, DeviceTensor y);

    /// <summary>y = a ⊙ b.</summary>
    void Multiply(DeviceTensor a, DeviceTensor b, DeviceTensor y);

    /// <summary>y += a ⊙ b.</summary>
    void MultiplyAccumulate(DeviceTensor a, DeviceTensor b, DeviceTensor y);

    /// <summary>y[r, c] = x[r, c] + v[c] (bias add over the matrix view).</summary>
    void AddRowVector(DeviceTensor x, DeviceTensor v, DeviceTensor y);

    /// <summary>y[c] += Σ_r x[r, c] (bias gradient).</summary>
    void SumRowsAccumulate(DeviceTensor x, DeviceTensor y);

    /// <summary>y = f(x) for a pointwise activation, or the row-wise softmax.</summary>
    void Activation(ActivationKind kind, DeviceTensor x, DeviceTensor y);

    /// <summary>dx += the gradient through y = f(x), computed from the output y and its gradient dy.</summary>
    void ActivationBackward(ActivationKind kind, DeviceTensor y, DeviceTensor dy, DeviceTensor dx);

    /// <summary>
    /// Copies a block of columns between matrix views with equal row counts:
    /// dst[r, dstColumn + j] (+)= src[r, srcColumn + j] for j &lt; count. Serves slice and concat and their gradients.
    /// </summary>
    void CopyColumns(DeviceTensor source, int sourceColumn, DeviceTensor destination, int destinationColumn, int count, bool accumulate);

    /// <summary>
    /// Copies one timestep between a sequence <c>[B, T, F]</c> and a matrix <c>[B, F]</c>:
    /// toSequence false: step[b, f] (+)= sequence[b, t, f]; true: sequence[b, t, f] (+)= step[b, f].
    /// </summary>
    void CopyTimestep(DeviceTensor sequence, int t, DeviceTensor step, bool toSequence, bool accumulate);

    // ---------------------------------------------------------------- reductions (synchronise)

    /// <summary>Σ x.</summary>
    double Sum(DeviceTensor x);

    /// <summary>Σ x² (for gradient-norm clipping).</summary>
    double SumOfSquares(DeviceTensor x);

    /// <summary>Clamps every element to [min, max], in place.</summary>
    void Clip(DeviceTensor x, double min, double max);

    // ---------------------------------------------------------------- embeddings and masks

    /// <summary>y[n, :] = table[indices[n], :]. Indices are <see cref="DType.Int32"/>, already range-checked by the caller.</summary>
    void Gather(DeviceTensor table, DeviceTensor indices, DeviceTensor y);

    /// <summary>dTable[indices[n], :] += dy[n, :].</summary>
    void ScatterAdd(DeviceTensor dy, DeviceTensor indices, DeviceTensor dTable);

    /// <summary>mask[b, t] = 1 when any feature of x[b, t, :] differs from <paramref name="maskValue"/>, else 0. x is <c>[B, T, F]</c> (F may be 1).</summary>
    void TimestepMask(DeviceTensor x, double maskValue, DeviceTensor mask);

    // ---------------------------------------------------------------- losses: return Σ_rows weight·loss, write dInput += scale·weight·∂loss (when given)

    /// <summary>
    /// Softmax cross-entropy over rows of <paramref name="logits"/> <c>[N, C]</c>, numerically stable. Targets are either
    /// float <c>[N, C]</c> (one-hot or probabilities) or <see cref="DType.Int32"/> <c>[N]</c> class indices.
    /// Optional row weights <c>[N]</c> (timestep masks).
    /// </summary>
    double SoftmaxCrossEntropy(DeviceTensor logits, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dLogits, double scale);

    /// <summary>Binary cross-entropy of probabilities (clipped to [1e-7, 1-1e-7] as Keras does), elementwise; rows are the matrix view's rows.</summary>
    double BinaryCrossEntropy(DeviceTensor probabilities, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dProbabilities, double scale);

    /// <summary>Binary cross-entropy from logits (sigmoid fused), elementwise, numerically stable.</summary>
    double SigmoidBinaryCrossEntropy(DeviceTensor logits, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dLogits, double scale);

    /// <summary>Squared error Σ (p - t)², elementwise; dPredictions += scale·weight·2(p - t).</summary>
    double SquaredError(DeviceTensor predictions, DeviceTensor targets, DeviceTensor? rowWeights, DeviceTensor? dPredictions, double scale);

    /// <summary>Number of rows whose arg-max matches the target (class index tensor or one-hot rows), weighted by the optional row weights.</summary>
    double CountArgMaxMatches(DeviceTensor predictions, DeviceTensor targets, DeviceTensor? rowWeights);

    /// <summary>Arg-max of every row, to host memory.</summary>
    void ArgMaxRows(DeviceTensor x, Span<int> destination);

    // ---------------------------------------------------------------- optimizer updates (Keras semantics)

    /// <summary>SGD: v = momentum·v - lr·g; p += nesterov ? momentum·v - lr·g : v. With momentum 0 and no velocity: p -= lr·g.</summary>
    void SgdUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor? velocity, double learningRate, double momentum, bool nesterov);

    /// <summary>RMSprop: a = rho·a + (1-rho)·g²; p -= lr·g / (√a + ε).</summary>
    void RmsPropUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor meanSquare, double learningRate, double rho, double epsilon);

    /// <summary>Adam: m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; p -= lr·√(1-β2^t)/(1-β1^t) · m / (√v + ε).</summary>
    void AdamUpdate(DeviceTensor parameter, DeviceTensor gradient, DeviceTensor m, DeviceTensor v, double learningRate, double beta1, double beta2, double epsilon, long step);

    // ---------------------------------------------------------------- fused recurrent layers

    /// <summary>
    /// Runs a whole SimpleRNN / LSTM / GRU layer over all timesteps. When <paramref name="keepForBackward"/> is set, returns
    /// the activations the backward pass needs; otherwise returns null.
    /// </summary>
    RecurrentTape? RecurrentForward(RecurrentSpec spec, RecurrentForwardArgs args, bool keepForBackward);

    /// <summary>Backpropagates through a fused recurrent layer over all its timesteps (see <see cref="RecurrentBackwardArgs"/>).</summary>
    void RecurrentBackward(RecurrentSpec spec, RecurrentBackwardArgs args);
}
