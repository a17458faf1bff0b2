// Fused LSTM timestep kernels (Keras gate order i, f, c, o; c = f*c_prev + i*act(x_c); h = o*act(c)).
// The host runs one GEMM for the input projection of all steps, then lstm_forward_steps_f32 once per step (after a
// recurrent cuBLAS GEMM for large layers) or once for the whole loop, and backward lstm_backward_steps_f32 likewise.
// Block tiling and the two ways to get the recurrent sums: recurrent_step.cuh.
// The step functions take pointers offset to timestep t; *_ld are row strides in elements (batch-major [B, T, .] views).
// Masked steps keep the previous state and output it again (so the output always equals the state, as the CPU backend).

// Exactly one of hu (= h_prev U from cuBLAS, [B, 4H]) and u (the recurrent kernel [H, 4H]) is non-null.
static __device__ void lstm_forward_step(
    const float* xproj, int xproj_ld, const float* hu, const float* u, const float* bias,
    const float* h_prev, int h_prev_ld, const float* c_prev, int c_prev_ld,
    const float* mask, int mask_ld,
    float* gates, int gates_ld,
    float* h_next, int h_next_ld, float* c_next, int c_next_ld,
    float* out, int out_ld,
    int batch, int units, int act)
{
    StepTile t = step_tile(batch, units);
    const float* sums = step_forward_sums(h_prev, h_prev_ld, u, 4, units, t);
    for (int i = (int)threadIdx.x; i < t.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int r = i / STEP_UNITS, c = i - r * STEP_UNITS, j = t.u0 + c;
        if (j >= units) continue;
        long long b = t.r0 + r;
        const float* x = xproj + b * xproj_ld;
        float gi = sigmoid(x[j] + step_sum(hu, sums, 4, 0, r, c, b, units, j) + bias[j]);
        float gf = sigmoid(x[units + j] + step_sum(hu, sums, 4, 1, r, c, b, units, j) + bias[units + j]);
        float gc = activate(act, x[2 * units + j] + step_sum(hu, sums, 4, 2, r, c, b, units, j) + bias[2 * units + j]);
        float go = sigmoid(x[3 * units + j] + step_sum(hu, sums, 4, 3, r, c, b, units, j) + bias[3 * units + j]);
        float cp = c_prev[b * c_prev_ld + j];
        float hp = h_prev[b * h_prev_ld + j];
        float cn = gf * cp + gi * gc;
        float hn = go * activate(act, cn);
        bool real = mask == 0 || mask[b * mask_ld] != 0.0f;

        float* g = gates + b * gates_ld;
        g[j] = gi; g[units + j] = gf; g[2 * units + j] = gc; g[3 * units + j] = go;
        c_next[b * c_next_ld + j] = real ? cn : cp;
        h_next[b * h_next_ld + j] = real ? hn : hp;
        out[b * out_ld + j] = real ? hn : hp;
    }
}

// dh, dc ([B, H] contiguous): on entry the gradients w.r.t. the state after step t, except that when dnext (the next
// step's gate gradients) and u are given this step adds dnext U^T to dh itself; on exit the direct parts w.r.t. the
// state before step t (the host or the step before adds dgates U^T). A masked step passes dh straight through.
static __device__ void lstm_backward_step(
    const float* gates, int gates_ld, const float* c_prev, int c_prev_ld,
    const float* mask, int mask_ld,
    const float* dout, int dout_ld,
    const float* dnext, int dnext_ld, const float* u,
    float* dh, float* dc,
    float* dgates, int dgates_ld,
    int batch, int units, int act)
{
    StepTile t = step_tile(batch, units);
    const float* sums = step_backward_sums(dnext, dnext_ld, u, 4, units, t);
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
            dg[j] = 0.0f; dg[units + j] = 0.0f; dg[2 * units + j] = 0.0f; dg[3 * units + j] = 0.0f;
            continue;
        }
        const float* g = gates + b * gates_ld;
        float gi = g[j], gf = g[units + j], gc = g[2 * units + j], go = g[3 * units + j];
        float cp = c_prev[b * c_prev_ld + j];
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
// step, [B, 4H]; else u), or the whole loop in one cooperative launch (RecurrentStepMode.Persistent), the steps
// separated by grid_sync. Sequences are batch-major: xproj, gates [B, T, 4H]; hseq, cseq (the state entering each
// step), out [B, T, H]; mask [B, T] or null; the state after the last step goes to h_last, c_last ([B, H]).
extern "C" __global__ void lstm_forward_steps_f32(
    const float* xproj, const float* hu, const float* u, const float* bias,
    float* hseq, float* cseq, float* h_last, float* c_last,
    const float* mask, float* gates, float* out,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    int gh = 4 * units, gate_ld = steps * gh, state_ld = steps * units;
    for (int t = t_begin; t < t_end; t++)
    {
        if (t > t_begin) grid_sync(barrier);
        bool last = t == steps - 1;
        lstm_forward_step(xproj + t * gh, gate_ld, hu, u, bias, hseq + t * units, state_ld, cseq + t * units, state_ld,
                          mask ? mask + t : 0, steps, gates + t * gh, gate_ld,
                          last ? h_last : hseq + (t + 1) * units, last ? units : state_ld,
                          last ? c_last : cseq + (t + 1) * units, last ? units : state_ld,
                          out + t * units, state_ld, batch, units, act);
    }
}

// Steps [t_begin, t_end) backward, in reverse, launched as the forward ones. With u, each step first adds the next
// step's dgates U^T to dh itself; without, the host adds dgates U^T after each launch. dout [B, T, H] or null.
extern "C" __global__ void lstm_backward_steps_f32(
    const float* gates, const float* cseq, const float* mask, const float* dout, const float* u,
    float* dh, float* dc, float* dgates,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    int gh = 4 * units, gate_ld = steps * gh, state_ld = steps * units;
    for (int t = t_end - 1; t >= t_begin; t--)
    {
        if (t < t_end - 1) grid_sync(barrier);
        lstm_backward_step(gates + t * gh, gate_ld, cseq + t * units, state_ld, mask ? mask + t : 0, steps,
                           dout ? dout + t * units : 0, state_ld, u && t < steps - 1 ? dgates + (t + 1) * gh : 0, gate_ld, u,
                           dh, dc, dgates + t * gh, gate_ld, batch, units, act);
    }
}
