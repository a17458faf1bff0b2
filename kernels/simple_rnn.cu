// Fused SimpleRNN timestep kernels: h = act(x W + h_prev U + b). Same conventions, tiling and launches as lstm.cu.

// Exactly one of hu (= h_prev U from cuBLAS, [B, H]) and u (the recurrent kernel [H, H]) is non-null.
static __device__ void simple_rnn_forward_step(
    const float* xproj, int xproj_ld, const float* hu, const float* u, const float* bias,
    const float* h_prev, int h_prev_ld,
    const float* mask, int mask_ld,
    float* gates, int gates_ld,
    float* h_next, int h_next_ld,
    float* out, int out_ld,
    int batch, int units, int act)
{
    StepTile t = step_tile(batch, units);
    const float* sums = step_forward_sums(h_prev, h_prev_ld, u, 1, units, t);
    for (int i = (int)threadIdx.x; i < t.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int r = i / STEP_UNITS, c = i - r * STEP_UNITS, j = t.u0 + c;
        if (j >= units) continue;
        long long b = t.r0 + r;
        float hn = activate(act, xproj[b * xproj_ld + j] + step_sum(hu, sums, 1, 0, r, c, b, units, j) + bias[j]);
        bool real = mask == 0 || mask[b * mask_ld] != 0.0f;
        float hp = h_prev[b * h_prev_ld + j];
        gates[b * gates_ld + j] = hn;
        h_next[b * h_next_ld + j] = real ? hn : hp;
        out[b * out_ld + j] = real ? hn : hp;
    }
}

// dh as in lstm_backward_step (dnext: the next step's gate gradients).
static __device__ void simple_rnn_backward_step(
    const float* gates, int gates_ld,
    const float* mask, int mask_ld,
    const float* dout, int dout_ld,
    const float* dnext, int dnext_ld, const float* u,
    float* dh,
    float* dgates, int dgates_ld,
    int batch, int units, int act)
{
    StepTile t = step_tile(batch, units);
    const float* sums = step_backward_sums(dnext, dnext_ld, u, 1, units, t);
    for (int i = (int)threadIdx.x; i < t.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int j = t.u0 + i % STEP_UNITS;
        if (j >= units) continue;
        long long b = t.r0 + i / STEP_UNITS, e = b * units + j;
        float dht = step_state_grad(dh, dout, dout_ld, sums, i, b, units, j);
        bool real = mask == 0 || mask[b * mask_ld] != 0.0f;
        float* dg = dgates + b * dgates_ld;
        if (!real)
        {
            dh[e] = dht;
            dg[j] = 0.0f;
            continue;
        }
        dg[j] = dht * activation_grad_from_output(act, gates[b * gates_ld + j]);
        dh[e] = 0.0f;
    }
}

// Steps [t_begin, t_end) forward, launched as lstm_forward_steps_f32: xproj, gates, hseq, out [B, T, H].
extern "C" __global__ void simple_rnn_forward_steps_f32(
    const float* xproj, const float* hu, const float* u, const float* bias,
    float* hseq, float* h_last, const float* mask, float* gates, float* out,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    int ld = steps * units;
    for (int t = t_begin; t < t_end; t++)
    {
        if (t > t_begin) grid_sync(barrier);
        bool last = t == steps - 1;
        int o = t * units;
        simple_rnn_forward_step(xproj + o, ld, hu, u, bias, hseq + o, ld, mask ? mask + t : 0, steps, gates + o, ld,
                                last ? h_last : hseq + o + units, last ? units : ld, out + o, ld, batch, units, act);
    }
}

// Steps [t_begin, t_end) backward, as lstm_backward_steps_f32.
extern "C" __global__ void simple_rnn_backward_steps_f32(
    const float* gates, const float* mask, const float* dout, const float* u, float* dh, float* dgates,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    int ld = steps * units;
    for (int t = t_end - 1; t >= t_begin; t--)
    {
        if (t < t_end - 1) grid_sync(barrier);
        int o = t * units;
        simple_rnn_backward_step(gates + o, ld, mask ? mask + t : 0, steps, dout ? dout + o : 0, ld,
                                 u && t < steps - 1 ? dgates + o + units : 0, ld, u, dh, dgates + o, ld, batch, units, act);
    }
}
