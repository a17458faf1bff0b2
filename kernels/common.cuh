// Shared by every kernel family: KernelSources prepends this file to each kernels/*.cu before NVRTC compiles it
// (the families stay header-free, so no include path is needed). Activation codes follow RnnGpu.ActivationKind:
// 0 linear, 1 tanh, 2 sigmoid, 3 relu (softmax has its own row kernels).

#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)

static __device__ __forceinline__ float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

static __device__ __forceinline__ float activate(int kind, float x)
{
    switch (kind)
    {
        case 1: return tanhf(x);
        case 2: return sigmoid(x);
        case 3: return x > 0.0f ? x : 0.0f;
        default: return x;
    }
}

// Derivative expressed through the output y = f(x), which is what the forward pass keeps.
static __device__ __forceinline__ float activation_grad_from_output(int kind, float y)
{
    switch (kind)
    {
        case 1: return 1.0f - y * y;
        case 2: return y * (1.0f - y);
        case 3: return y > 0.0f ? 1.0f : 0.0f;
        default: return 1.0f;
    }
}
