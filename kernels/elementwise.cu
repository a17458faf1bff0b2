// Elementwise arithmetic, activations and their gradients, column/timestep copies, clipping.
// Float32 only, compiled by NVRTC after kernels/common.cuh (grid-stride loops, activation codes), no CUDA headers.

extern "C" __global__ void axpy_f32(float alpha, const float* x, float* y, long long n)
{
    GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

extern "C" __global__ void scale_f32(float* x, float alpha, long long n)
{
    GRID_STRIDE(i, n) x[i] *= alpha;
}

// op: 0 add, 1 subtract, 2 multiply, 3 multiply-accumulate (y += a*b).
extern "C" __global__ void binary_f32(int op, const float* a, const float* b, float* y, long long n)
{
    GRID_STRIDE(i, n)
    {
        float u = a[i], v = b[i];
        switch (op)
        {
            case 0: y[i] = u + v; break;
            case 1: y[i] = u - v; break;
            case 2: y[i] = u * v; break;
            default: y[i] += u * v; break;
        }
    }
}

extern "C" __global__ void add_row_vector_f32(const float* x, const float* v, float* y, long long rows, int columns)
{
    GRID_STRIDE(i, rows * columns) y[i] = x[i] + v[i % columns];
}

// y[c] += sum_r x[r, c]. Block (32, 8): blockDim.x columns per block, blockDim.y row lanes reduced in shared memory
// (deterministic order). Launched with at most 32 x 8 threads.
extern "C" __global__ void sum_rows_accumulate_f32(const float* x, float* y, int rows, int columns, int ld)
{
    __shared__ float partial[8][33];
    int column = blockIdx.x * blockDim.x + threadIdx.x;
    float sum = 0.0f;
    if (column < columns)
        for (int r = threadIdx.y; r < rows; r += blockDim.y) sum += x[(long long)r * ld + column];
    partial[threadIdx.y][threadIdx.x] = sum;
    __syncthreads();
    if (threadIdx.y == 0 && column < columns)
    {
        float total = 0.0f;
        for (int k = 0; k < (int)blockDim.y; k++) total += partial[k][threadIdx.x];
        y[column] += total;
    }
}

extern "C" __global__ void activation_f32(int kind, const float* x, float* y, long long n)
{
    GRID_STRIDE(i, n) y[i] = activate(kind, x[i]);
}

extern "C" __global__ void activation_backward_f32(int kind, const float* y, const float* dy, float* dx, long long n)
{
    GRID_STRIDE(i, n) dx[i] += dy[i] * activation_grad_from_output(kind, y[i]);
}

// Block-wide reductions over blockDim.x threads (a power of two, at most 1024).
static __device__ float block_max(float v, float* scratch)
{
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1)
    {
        if (threadIdx.x < s) scratch[threadIdx.x] = fmaxf(scratch[threadIdx.x], scratch[threadIdx.x + s]);
        __syncthreads();
    }
    float r = scratch[0];
    __syncthreads();
    return r;
}

static __device__ float block_sum(float v, float* scratch)
{
    scratch[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1)
    {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
    float r = scratch[0];
    __syncthreads();
    return r;
}

// Row-wise softmax; one block per row (grid-stride over rows), 256 threads.
extern "C" __global__ void softmax_rows_f32(const float* x, float* y, int rows, int columns)
{
    __shared__ float scratch[256];
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        const float* xr = x + (long long)r * columns;
        float* yr = y + (long long)r * columns;
        float m = -3.402823466e38f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) m = fmaxf(m, xr[c]);
        m = block_max(m, scratch);
        float s = 0.0f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) s += expf(xr[c] - m);
        s = block_sum(s, scratch);
        float inv = 1.0f / s;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) yr[c] = expf(xr[c] - m) * inv;
    }
}

// dx += y * (dy - sum_j dy_j y_j), one block per row.
extern "C" __global__ void softmax_rows_backward_f32(const float* y, const float* dy, float* dx, int rows, int columns)
{
    __shared__ float scratch[256];
    for (int r = blockIdx.x; r < rows; r += gridDim.x)
    {
        long long o = (long long)r * columns;
        float d = 0.0f;
        for (int c = threadIdx.x; c < columns; c += blockDim.x) d += dy[o + c] * y[o + c];
        d = block_sum(d, scratch);
        for (int c = threadIdx.x; c < columns; c += blockDim.x) dx[o + c] += y[o + c] * (dy[o + c] - d);
    }
}

// dst[r, dst_col + j] (+)= src[r, src_col + j], j < count.
extern "C" __global__ void copy_columns_f32(const float* src, int src_columns, int src_col, float* dst, int dst_columns, int dst_col,
                                            int rows, int count, int accumulate)
{
    GRID_STRIDE(i, (long long)rows * count)
    {
        long long r = i / count;
        int j = (int)(i - r * count);
        float v = src[r * src_columns + src_col + j];
        float* d = dst + r * dst_columns + dst_col + j;
        if (accumulate) *d += v; else *d = v;
    }
}

// Between sequence [B, T, F] and step [B, F] at timestep t.
extern "C" __global__ void copy_timestep_f32(float* sequence, int steps, int t, float* step, int batch, int features, int to_sequence, int accumulate)
{
    GRID_STRIDE(i, (long long)batch * features)
    {
        long long b = i / features;
        int f = (int)(i - b * features);
        float* s = sequence + (b * steps + t) * features + f;
        float* m = step + i;
        if (to_sequence) { if (accumulate) *s += *m; else *s = *m; }
        else { if (accumulate) *m += *s; else *m = *s; }
    }
}

extern "C" __global__ void clip_f32(float* x, float lo, float hi, long long n)
{
    GRID_STRIDE(i, n) x[i] = fminf(fmaxf(x[i], lo), hi);
}
