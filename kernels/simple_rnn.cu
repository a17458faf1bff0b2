// Fused SimpleRNN timestep kernels: h = act(x W + h_prev U + b). Same conventions, tiling and launches as lstm.cu.

// Forward step t (sequences as in lstm.cu: xproj, gates, hseq, out [B, T, H]). Exactly one of hu (= h_prev U from
// cuBLAS, [B, H]) and u (the recurrent kernel [H, H]) is non-null.
static __device__ void simple_rnn_forward_step(
    const float* xproj, const float* hu, const float* u, const float* bias,
    float* hseq, float* h_last, const float* mask, float* gates, float* out,
    int batch, int steps, int units, int act, int t)
{
    StepTile tile = step_tile(batch, units);
    const float* sums = step_forward_sums(hseq, u, 1, units, steps, t, tile);
    bool last = t == steps - 1;
    for (int i = (int)threadIdx.x; i < tile.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int r = i / STEP_UNITS, c = i - r * STEP_UNITS, j = tile.u0 + c;
        if (j >= units) continue;
        long long b = tile.r0 + r, s = seq_at(b, t, steps, units) + j;
        float hn = activate(act, xproj[s] + step_sum(hu, sums, 1, 0, r, c, b, units, j) + bias[j]);
        bool real = mask == 0 || mask[b * steps + t] != 0.0f;
        float hp = hseq[s];
        gates[s] = hn;
        long long next = last ? b * units + j : s + units; // the next step's row, or the final state
        (last ? h_last : hseq)[next] = real ? hn : hp;
        out[s] = real ? hn : hp;
    }
}

// Backward step t; dh as in lstm_backward_step (with u, this step adds the next step's dgates U^T itself).
static __device__ void simple_rnn_backward_step(
    const float* gates, const float* mask, const float* dout, const float* u, float* dh, float* dgates,
    int batch, int steps, int units, int act, int t)
{
    StepTile tile = step_tile(batch, units);
    const float* sums = step_backward_sums(dgates, u, 1, units, steps, t, tile);
    for (int i = (int)threadIdx.x; i < tile.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int j = tile.u0 + i % STEP_UNITS;
        if (j >= units) continue;
        long long b = tile.r0 + i / STEP_UNITS, e = b * units + j, s = seq_at(b, t, steps, units) + j;
        float dht = step_state_grad(dh, e, dout, s, sums, i);
        bool real = mask == 0 || mask[b * steps + t] != 0.0f;
        if (!real)
        {
            dh[e] = dht;
            dgates[s] = 0.0f;
            continue;
        }
        dgates[s] = dht * activation_grad_from_output(act, gates[s]);
        dh[e] = 0.0f;
    }
}

// Steps [t_begin, t_end) forward, launched as lstm_forward_steps_f32.
extern "C" __global__ void simple_rnn_forward_steps_f32(
    const float* xproj, const float* hu, const float* u, const float* bias,
    float* hseq, float* h_last, const float* mask, float* gates, float* out,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    for (int t = t_begin; t < t_end; t++)
    {
        if (t > t_begin) grid_sync(barrier);
        simple_rnn_forward_step(xproj, hu, u, bias, hseq, h_last, mask, gates, out, batch, steps, units, act, t);
    }
}

// Steps [t_begin, t_end) backward, as lstm_backward_steps_f32.
extern "C" __global__ void simple_rnn_backward_steps_f32(
    const float* gates, const float* mask, const float* dout, const float* u, float* dh, float* dgates,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    for (int t = t_end - 1; t >= t_begin; t--)
    {
        if (t < t_end - 1) grid_sync(barrier);
        simple_rnn_backward_step(gates, mask, dout, u, dh, dgates, batch, steps, units, act, t);
    }
}
