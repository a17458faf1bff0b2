// Embedding lookups and their gradient, and the Keras Masking layer's timestep mask.

// y[n, :] = table[indices[n], :].
extern "C" __global__ void gather_rows_f32(const float* table, const int* indices, float* y, long long count, int columns)
{
    GRID_STRIDE(i, count * columns)
    {
        long long n = i / columns;
        int c = (int)(i - n * columns);
        y[i] = table[(long long)indices[n] * columns + c];
    }
}

// dTable[indices[n], :] += dy[n, :]; repeated indices meet in atomicAdd.
extern "C" __global__ void scatter_add_rows_f32(const float* dy, const int* indices, float* table_grad, long long count, int columns)
{
    GRID_STRIDE(i, count * columns)
    {
        long long n = i / columns;
        int c = (int)(i - n * columns);
        atomicAdd(table_grad + (long long)indices[n] * columns + c, dy[i]);
    }
}

// mask[s] = 1 when any feature of x[s, :] differs from mask_value, else 0; s runs over B*T steps.
extern "C" __global__ void timestep_mask_f32(const float* x, float mask_value, float* mask, long long steps, int features)
{
    GRID_STRIDE(s, steps)
    {
        const float* row = x + s * features;
        float keep = 0.0f;
        for (int f = 0; f < features; f++)
            if (row[f] != mask_value) { keep = 1.0f; break; }
        mask[s] = keep;
    }
}
