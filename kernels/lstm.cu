// Fused LSTM timestep kernels (Keras gate order i, f, c, o; c = f*c_prev + i*act(x_c); h = o*act(c)).
// The host runs one GEMM for the input projection of all steps, then lstm_forward_steps_f32 once per step (after a
// recurrent cuBLAS GEMM for large layers) or once for the whole loop, and backward lstm_backward_steps_f32 likewise.
// Block tiling and the two ways to get the recurrent sums: recurrent_step.cuh.
// The step functions run step t of the layer's batch-major sequences (recurrent_step.cuh, seq_at): xproj, gates
// [B, T, 4H]; hseq, cseq (the state entering each step), out [B, T, H]; mask [B, T] or null; the state after the last
// step goes to h_last, c_last ([B, H]). Masked steps keep the previous state and output it again (so the output always
// equals the state, as the CPU backend).

// Forward step t. Exactly one of hu (= h_prev U from cuBLAS, [B, 4H]) and u (the recurrent kernel [H, 4H]) is non-null.
static __device__ void lstm_forward_step(
    const float* xproj, const float* hu, const float* u, const float* bias,
    float* hseq, float* cseq, float* h_last, float* c_last,
    const float* mask, float* gates, float* out,
    int batch, int steps, int units, int act, int t)
{
    StepTile tile = step_tile(batch, units);
    const float* sums = step_forward_sums(hseq, u, 4, units, steps, t, tile);
    bool last = t == steps - 1;
    for (int i = (int)threadIdx.x; i < tile.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int r = i / STEP_UNITS, c = i - r * STEP_UNITS, j = tile.u0 + c;
        if (j >= units) continue;
        long long b = tile.r0 + r, s = seq_at(b, t, steps, units) + j;
        const float* x = xproj + seq_at(b, t, steps, 4 * units);
        float gi = sigmoid(x[j] + step_sum(hu, sums, 4, 0, r, c, b, units, j) + bias[j]);
        float gf = sigmoid(x[units + j] + step_sum(hu, sums, 4, 1, r, c, b, units, j) + bias[units + j]);
        float gc = activate(act, x[2 * units + j] + step_sum(hu, sums, 4, 2, r, c, b, units, j) + bias[2 * units + j]);
        float go = sigmoid(x[3 * units + j] + step_sum(hu, sums, 4, 3, r, c, b, units, j) + bias[3 * units + j]);
        float cp = cseq[s], hp = hseq[s];
        float cn = gf * cp + gi * gc;
        float hn = go * activate(act, cn);
        bool real = mask == 0 || mask[b * steps + t] != 0.0f;

        float* g = gates + seq_at(b, t, steps, 4 * units);
        g[j] = gi; g[units + j] = gf; g[2 * units + j] = gc; g[3 * units + j] = go;
        // The state after the step: the next step's row of the sequence, or after the last step the final state.
        long long next = last ? b * units + j : s + units;
        (last ? c_last : cseq)[next] = real ? cn : cp;
        (last ? h_last : hseq)[next] = real ? hn : hp;
        out[s] = real ? hn : hp;
    }
}

// Backward step t. dh, dc ([B, H]): on entry the gradients w.r.t. the state after step t, except that with u this step
// adds the next step's dgates U^T to dh itself; on exit the direct parts w.r.t. the state before step t (the host or
// the step before adds dgates U^T). dout [B, T, H] or null, dgates [B, T, 4H]. A masked step passes dh straight through.
static __device__ void lstm_backward_step(
    const float* gates, const float* cseq, const float* mask, const float* dout, const float* u,
    float* dh, float* dc, float* dgates,
    int batch, int steps, int units, int act, int t)
{
    StepTile tile = step_tile(batch, units);
    const float* sums = step_backward_sums(dgates, u, 4, units, steps, t, tile);
    for (int i = (int)threadIdx.x; i < tile.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int j = tile.u0 + i % STEP_UNITS;
        if (j >= units) continue;
        long long b = tile.r0 + i / STEP_UNITS, e = b * units + j, s = seq_at(b, t, steps, units) + j;
        float dht = step_state_grad(dh, e, dout, s, sums, i);
        bool real = mask == 0 || mask[b * steps + t] != 0.0f;
        float* dg = dgates + seq_at(b, t, steps, 4 * units);
        if (!real)
        {
            dh[e] = dht;
            dg[j] = 0.0f; dg[units + j] = 0.0f; dg[2 * units + j] = 0.0f; dg[3 * units + j] = 0.0f;
            continue;
        }
        const float* g = gates + seq_at(b, t, steps, 4 * units);
        float gi = g[j], gf = g[units + j], gc = g[2 * units + j], go = g[3 * units + j];
        float cp = cseq[s];
        float tc = activate(act, gf * cp + gi * gc);
        float dct = dc[e] + dht * go * activation_grad_from_output(act, tc);
        dg[j] = dct * gc * gi * (1.0f - gi);
        dg[units + j] = dct * cp * gf * (1.0f - gf);
        dg[2 * units + j] = dct * gi * activation_grad_from_output(act, gc);
        dg[3 * units + j] = dht * tc * go * (1.0f - go);
        dc[e] = dct * gf;
        dh[e] = 0.0f;
    }
}

// Steps [t_begin, t_end) of the time loop, forward: one step per launch (with hu, the host's cuBLAS product for that
// step; else u), or the whole loop in one cooperative launch (RecurrentStepMode.Persistent), the steps separated by
// grid_sync.
extern "C" __global__ void lstm_forward_steps_f32(
    const float* xproj, const float* hu, const float* u, const float* bias,
    float* hseq, float* cseq, float* h_last, float* c_last,
    const float* mask, float* gates, float* out,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    for (int t = t_begin; t < t_end; t++)
    {
        if (t > t_begin) grid_sync(barrier);
        lstm_forward_step(xproj, hu, u, bias, hseq, cseq, h_last, c_last, mask, gates, out, batch, steps, units, act, t);
    }
}

// Steps [t_begin, t_end) backward, in reverse, launched as the forward ones. With u, each step first adds the next
// step's dgates U^T to dh itself; without, the host adds dgates U^T after each launch.
extern "C" __global__ void lstm_backward_steps_f32(
    const float* gates, const float* cseq, const float* mask, const float* dout, const float* u,
    float* dh, float* dc, float* dgates,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    for (int t = t_end - 1; t >= t_begin; t--)
    {
        if (t < t_end - 1) grid_sync(barrier);
        lstm_backward_step(gates, cseq, mask, dout, u, dh, dc, dgates, batch, steps, units, act, t);
    }
}
