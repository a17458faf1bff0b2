// Losses and metrics. Each loss writes weight*loss per row (or per element) into a scratch buffer that the host sums
// with the reduce kernels, and, when a gradient buffer is given, accumulates scale*weight*dloss into it.
// weights may be null (every weight 1); gradient pointers may be null (loss only).

#define BCE_EPSILON 1e-7f

static __device__ float block_reduce(float v, float* scratch, int use_max)
{
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1)
    {
        if (threadIdx.x < s)
            scratch[threadIdx.x] = use_max ? fmaxf(scratch[threadIdx.x], scratch[threadIdx.x + s]) : scratch[threadIdx.x] + scratch[threadIdx.x + s];
        __syncthreads();
    }
    float r = scratch[0];
    __syncthreads();
    return r;
}

// Softmax cross-entropy with float targets (one-hot or probabilities); one block of 256 threads per row.
// loss = sum_j t_j (lse - z_j); dz_j = p_j * sum(t) - t_j.
extern "C" __global__ void softmax_xent_dense_f32(const float* logits, const float* targets, const float* weights, float* dlogits,
                                                  float scale, int rows, int columns, float* row_loss)
{
    __shared__ float scratch[256];
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        long long o = (long long)r * columns;
        float w = weights ? weights[r] : 1.0f;
        float m = -3.402823466e38f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) m = fmaxf(m, logits[o + c]);
        m = block_reduce(m, scratch, 1);
        float s = 0.0f, tsum = 0.0f, tz = 0.0f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x)
        {
            float z = logits[o + c] - m;
            s += expf(z);
            tsum += targets[o + c];
            tz += targets[o + c] * z;
        }
        s = block_reduce(s, scratch, 0);
        tsum = block_reduce(tsum, scratch, 0);
        tz = block_reduce(tz, scratch, 0);
        float lse = logf(s);
        if (threadIdx.x == 0) row_loss[r] = w * (lse * tsum - tz);
        if (dlogits && w != 0.0f)
        {
            float g = scale * w, inv = 1.0f / s;
            for (int c = threadIdx.x; c < columns; c += blockDim.x)
                dlogits[o + c] += g * (expf(logits[o + c] - m) * inv * tsum - targets[o + c]);
        }
    }
}

// Softmax cross-entropy with integer class targets; one block per row. loss = lse - z_label; dz_j = p_j - [j == label].
extern "C" __global__ void softmax_xent_sparse_f32(const float* logits, const int* labels, const float* weights, float* dlogits,
                                                   float scale, int rows, int columns, float* row_loss)
{
    __shared__ float scratch[256];
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        long long o = (long long)r * columns;
        float w = weights ? weights[r] : 1.0f;
        int label = labels[r];
        float m = -3.402823466e38f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) m = fmaxf(m, logits[o + c]);
        m = block_reduce(m, scratch, 1);
        float s = 0.0f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) s += expf(logits[o + c] - m);
        s = block_reduce(s, scratch, 0);
        float lse = logf(s);
        if (threadIdx.x == 0) row_loss[r] = w * (lse - (logits[o + label] - m));
        if (dlogits && w != 0.0f)
        {
            float g = scale * w, inv = 1.0f / s;
            for (int c = threadIdx.x; c < columns; c += blockDim.x)
                dlogits[o + c] += g * (expf(logits[o + c] - m) * inv - (c == label ? 1.0f : 0.0f));
        }
    }
}

// Binary cross-entropy of probabilities clipped to [eps, 1-eps] as Keras does; the clip passes no gradient outside it.
extern "C" __global__ void binary_xent_f32(const float* p, const float* t, const float* weights, float* dp, float scale,
                                           long long n, int columns, float* loss)
{
    GRID_STRIDE(i, n)
    {
        float w = weights ? weights[i / columns] : 1.0f;
        float raw = p[i], y = t[i];
        float q = fminf(fmaxf(raw, BCE_EPSILON), 1.0f - BCE_EPSILON);
        loss[i] = -w * (y * logf(q) + (1.0f - y) * logf(1.0f - q));
        if (dp && raw >= BCE_EPSILON && raw <= 1.0f - BCE_EPSILON)
            dp[i] += scale * w * ((1.0f - y) / (1.0f - q) - y / q);
    }
}

// Binary cross-entropy from logits: max(z,0) - z*t + log(1 + exp(-|z|)); d/dz = sigmoid(z) - t.
extern "C" __global__ void sigmoid_binary_xent_f32(const float* z, const float* t, const float* weights, float* dz, float scale,
                                                   long long n, int columns, float* loss)
{
    GRID_STRIDE(i, n)
    {
        float w = weights ? weights[i / columns] : 1.0f;
        float x = z[i], y = t[i];
        loss[i] = w * (fmaxf(x, 0.0f) - x * y + log1pf(expf(-fabsf(x))));
        if (dz)
        {
            float s = x >= 0.0f ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x));
            dz[i] += scale * w * (s - y);
        }
    }
}

extern "C" __global__ void squared_error_f32(const float* p, const float* t, const float* weights, float* dp, float scale,
                                             long long n, int columns, float* loss)
{
    GRID_STRIDE(i, n)
    {
        float w = weights ? weights[i / columns] : 1.0f;
        float d = p[i] - t[i];
        loss[i] = w * d * d;
        if (dp) dp[i] += scale * w * 2.0f * d;
    }
}

// First index of the row maximum (numpy's tie rule).
static __device__ int row_argmax(const float* row, int columns)
{
    int best = 0;
    float v = row[0];
    for (int c = 1; c < columns; c++)
        if (row[c] > v) { v = row[c]; best = c; }
    return best;
}

extern "C" __global__ void argmax_rows_f32(const float* x, int rows, int columns, int* result)
{
    GRID_STRIDE(r, rows) result[r] = row_argmax(x + r * columns, columns);
}

// match[r] = weight * (argmax(pred[r]) == target class), the target given as labels (int) or one-hot rows (float).
// A single column is binary accuracy: (p > 0.5) == (t > 0.5).
extern "C" __global__ void argmax_matches_f32(const float* predictions, const int* labels, const float* onehot, const float* weights,
                                              int rows, int columns, float* match)
{
    GRID_STRIDE(r, rows)
    {
        int predicted, expected;
        if (columns == 1 && !labels)
        {
            predicted = predictions[r] > 0.5f;
            expected = onehot[r] > 0.5f;
        }
        else
        {
            predicted = row_argmax(predictions + r * columns, columns);
            expected = labels ? labels[r] : row_argmax(onehot + r * columns, columns);
        }
        match[r] = (predicted == expected ? 1.0f : 0.0f) * (weights ? weights[r] : 1.0f);
    }
}
