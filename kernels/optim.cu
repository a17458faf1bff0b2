// Fused optimizer updates with Keras semantics, one thread per parameter element.

// velocity may be null (plain SGD: p -= lr*g).
extern "C" __global__ void sgd_update_f32(float* p, const float* g, float* velocity, float lr, float momentum, int nesterov, long long n)
{
    GRID_STRIDE(i, n)
    {
        float grad = g[i];
        if (!velocity) { p[i] -= lr * grad; continue; }
        float v = momentum * velocity[i] - lr * grad;
        velocity[i] = v;
        p[i] += nesterov ? momentum * v - lr * grad : v;
    }
}

extern "C" __global__ void rmsprop_update_f32(float* p, const float* g, float* mean_square, float lr, float rho, float epsilon, long long n)
{
    GRID_STRIDE(i, n)
    {
        float grad = g[i];
        float a = rho * mean_square[i] + (1.0f - rho) * grad * grad;
        mean_square[i] = a;
        p[i] -= lr * grad / (sqrtf(a) + epsilon);
    }
}

// step_size = lr * sqrt(1 - beta2^t) / (1 - beta1^t), computed on the host in double precision.
extern "C" __global__ void adam_update_f32(float* p, const float* g, float* m, float* v, float step_size, float beta1, float beta2,
                                           float epsilon, long long n)
{
    GRID_STRIDE(i, n)
    {
        float grad = g[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * grad;
        float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        p[i] -= step_size * mi / (sqrtf(vi) + epsilon);
    }
}
