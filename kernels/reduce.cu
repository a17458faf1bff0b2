// Sums in double precision, in two deterministic passes: per-block partials, then one block over the partials.

#define REDUCE_THREADS 256

// mode: 0 sum, 1 sum of squares. Writes one partial per block.
extern "C" __global__ void reduce_partial_f32(const float* x, long long n, int mode, double* partial)
{
    __shared__ double scratch[REDUCE_THREADS];
    double sum = 0.0;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x)
    {
        double v = x[i];
        sum += mode == 1 ? v * v : v;
    }
    scratch[threadIdx.x] = sum;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1)
    {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = scratch[0];
}

// One block: result[0] = sum of partial[0..count).
extern "C" __global__ void reduce_final_f64(const double* partial, int count, double* result)
{
    __shared__ double scratch[REDUCE_THREADS];
    double sum = 0.0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) sum += partial[i];
    scratch[threadIdx.x] = sum;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1)
    {
        if (threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) result[0] = scratch[0];
}
