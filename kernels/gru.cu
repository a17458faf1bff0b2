// Fused GRU timestep kernels (Keras gate order z, r, h; h = z*h_prev + (1-z)*h~). Same conventions as lstm.cu.
// reset_after (Keras 2 default, cuDNN compatible): h~ = act(x_h + b_ih + r*(h_prev U_h + b_rh)); one recurrent product
// per step, by cuBLAS or inside the step kernel (recurrent_step.cuh); one launch per step or for the whole loop.
// reset_before: h~ = act(x_h + b_h + (r*h_prev) U_h); a second GEMM per step for the candidate, hence the split kernels.

// reset_after forward step t, tiled as recurrent_step.cuh: exactly one of hu (= h_prev U from cuBLAS, [B, 3H]) and u
// (the recurrent kernel [H, 3H]) is non-null. Saves gates z, r, h~ and hrec = h_prev U_h + b_rh. Sequences as in
// lstm.cu: xproj, gates [B, T, 3H]; hseq (the state entering each step), hrec, out [B, T, H]; h_last [B, H].
static __device__ void gru_forward_step(
    const float* xproj, const float* hu, const float* u, const float* bias_input, const float* bias_recurrent,
    float* hseq, float* h_last, const float* mask, float* gates, float* hrec, float* out,
    int batch, int steps, int units, int act, int t)
{
    StepTile tile = step_tile(batch, units);
    const float* sums = step_forward_sums(hseq, u, 3, units, steps, t, tile);
    bool last = t == steps - 1;
    for (int i = (int)threadIdx.x; i < tile.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int r = i / STEP_UNITS, c = i - r * STEP_UNITS, j = tile.u0 + c;
        if (j >= units) continue;
        long long b = tile.r0 + r, s = seq_at(b, t, steps, units) + j;
        const float* x = xproj + seq_at(b, t, steps, 3 * units);
        float z = sigmoid(x[j] + bias_input[j] + step_sum(hu, sums, 3, 0, r, c, b, units, j) + bias_recurrent[j]);
        float rg = sigmoid(x[units + j] + bias_input[units + j] + step_sum(hu, sums, 3, 1, r, c, b, units, j) + bias_recurrent[units + j]);
        float rec = step_sum(hu, sums, 3, 2, r, c, b, units, j) + bias_recurrent[2 * units + j];
        float cand = activate(act, x[2 * units + j] + bias_input[2 * units + j] + rg * rec);
        float hp = hseq[s];
        float hn = z * hp + (1.0f - z) * cand;
        bool real = mask == 0 || mask[b * steps + t] != 0.0f;

        float* g = gates + seq_at(b, t, steps, 3 * units);
        g[j] = z; g[units + j] = rg; g[2 * units + j] = cand;
        hrec[s] = rec;
        long long next = last ? b * units + j : s + units; // the next step's row, or the final state
        (last ? h_last : hseq)[next] = real ? hn : hp;
        out[s] = real ? hn : hp;
    }
}

// reset_after backward step t, tiled as recurrent_step.cuh. dgx: gradient w.r.t. the input projection (and input
// bias); dgh: w.r.t. h_prev U (and recurrent bias); both [B, T, 3H]. dh as in lstm_backward_step: with u, this step
// first adds the next step's dgh U^T to it; on exit it holds the direct part z*dh.
static __device__ void gru_backward_step(
    const float* gates, const float* hrec, const float* hseq, const float* mask, const float* dout, const float* u,
    float* dh, float* dgx, float* dgh,
    int batch, int steps, int units, int act, int t)
{
    StepTile tile = step_tile(batch, units);
    const float* sums = step_backward_sums(dgh, u, 3, units, steps, t, tile);
    for (int i = (int)threadIdx.x; i < tile.rows * STEP_UNITS; i += (int)blockDim.x)
    {
        int j = tile.u0 + i % STEP_UNITS;
        if (j >= units) continue;
        long long b = tile.r0 + i / STEP_UNITS, e = b * units + j, s = seq_at(b, t, steps, units) + j;
        float dht = step_state_grad(dh, e, dout, s, sums, i);
        bool real = mask == 0 || mask[b * steps + t] != 0.0f;
        float* gx = dgx + seq_at(b, t, steps, 3 * units);
        float* gh = dgh + seq_at(b, t, steps, 3 * units);
        if (!real)
        {
            dh[e] = dht;
            gx[j] = 0.0f; gx[units + j] = 0.0f; gx[2 * units + j] = 0.0f;
            gh[j] = 0.0f; gh[units + j] = 0.0f; gh[2 * units + j] = 0.0f;
            continue;
        }
        const float* g = gates + seq_at(b, t, steps, 3 * units);
        float z = g[j], rg = g[units + j], cand = g[2 * units + j];
        float hp = hseq[s], rec = hrec[s];
        float dz = dht * (hp - cand) * z * (1.0f - z);
        float dcand = dht * (1.0f - z) * activation_grad_from_output(act, cand);
        float dr = dcand * rec * rg * (1.0f - rg);
        gx[j] = dz; gx[units + j] = dr; gx[2 * units + j] = dcand;
        gh[j] = dz; gh[units + j] = dr; gh[2 * units + j] = dcand * rg;
        dh[e] = dht * z;
    }
}

// reset_after, steps [t_begin, t_end) forward, launched as lstm_forward_steps_f32 (hu: the host's [B, 3H] product for
// a single step, else u).
extern "C" __global__ void gru_forward_steps_f32(
    const float* xproj, const float* hu, const float* u, const float* bias_input, const float* bias_recurrent,
    float* hseq, float* h_last, const float* mask, float* gates, float* hrec, float* out,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    for (int t = t_begin; t < t_end; t++)
    {
        if (t > t_begin) grid_sync(barrier);
        gru_forward_step(xproj, hu, u, bias_input, bias_recurrent, hseq, h_last, mask, gates, hrec, out,
                         batch, steps, units, act, t);
    }
}

// reset_after, steps [t_begin, t_end) backward (as lstm_backward_steps_f32); with u, each step adds the next step's
// dgh U^T itself.
extern "C" __global__ void gru_backward_steps_f32(
    const float* gates, const float* hrec, const float* hseq, const float* mask, const float* dout, const float* u,
    float* dh, float* dgx, float* dgh,
    int batch, int steps, int units, int act, int t_begin, int t_end, unsigned* barrier)
{
    for (int t = t_end - 1; t >= t_begin; t--)
    {
        if (t < t_end - 1) grid_sync(barrier);
        gru_backward_step(gates, hrec, hseq, mask, dout, u, dh, dgx, dgh, batch, steps, units, act, t);
    }
}

// reset_before forward, part 1: z and r from hu_zr = h_prev U[:, :2H] (row stride hu_ld); saves z, r and rh = r*h_prev.
extern "C" __global__ void gru_rb_gates_step_f32(
    const float* xproj, int xproj_ld, const float* hu, int hu_ld, const float* bias,
    const float* h_prev, int h_prev_ld,
    float* gates, int gates_ld, float* rh, int rh_ld,
    int batch, int units)
{
    GRID_STRIDE(e, (long long)batch * units)
    {
        int b = (int)(e / units), j = (int)(e - (long long)b * units);
        const float* x = xproj + (long long)b * xproj_ld;
        const float* r = hu + (long long)b * hu_ld;
        float z = sigmoid(x[j] + r[j] + bias[j]);
        float rg = sigmoid(x[units + j] + r[units + j] + bias[units + j]);
        float* g = gates + (long long)b * gates_ld;
        g[j] = z; g[units + j] = rg;
        rh[(long long)b * rh_ld + j] = rg * h_prev[(long long)b * h_prev_ld + j];
    }
}

// reset_before forward, part 2: hu_h = (r*h_prev) U_h (row stride hu_ld, already offset to the h block).
extern "C" __global__ void gru_rb_output_step_f32(
    const float* xproj, int xproj_ld, const float* hu_h, int hu_ld, const float* bias,
    const float* h_prev, int h_prev_ld,
    const float* mask, int mask_ld,
    float* gates, int gates_ld,
    float* h_next, int h_next_ld,
    float* out, int out_ld,
    int batch, int units, int act)
{
    GRID_STRIDE(e, (long long)batch * units)
    {
        int b = (int)(e / units), j = (int)(e - (long long)b * units);
        float* g = gates + (long long)b * gates_ld;
        float z = g[j];
        float cand = activate(act, xproj[(long long)b * xproj_ld + 2 * units + j] + bias[2 * units + j] + hu_h[(long long)b * hu_ld + j]);
        g[2 * units + j] = cand;
        float hp = h_prev[(long long)b * h_prev_ld + j];
        float h = z * hp + (1.0f - z) * cand;
        bool real = mask == 0 || mask[(long long)b * mask_ld] != 0.0f;
        h_next[(long long)b * h_next_ld + j] = real ? h : hp;
        out[(long long)b * out_ld + j] = real ? h : hp;
    }
}

// reset_before backward, part 1: dz and the candidate gradient; dr is filled by part 2 once d(rh) = dcand U_h^T is known.
extern "C" __global__ void gru_rb_backward_candidate_step_f32(
    const float* gates, int gates_ld, const float* h_prev, int h_prev_ld,
    const float* mask, int mask_ld,
    const float* dout, int dout_ld,
    float* dh,
    float* dgates, int dgates_ld,
    int batch, int units, int act)
{
    GRID_STRIDE(e, (long long)batch * units)
    {
        int b = (int)(e / units), j = (int)(e - (long long)b * units);
        float dht = dh[e] + (dout ? dout[(long long)b * dout_ld + j] : 0.0f);
        bool real = mask == 0 || mask[(long long)b * mask_ld] != 0.0f;
        float* dg = dgates + (long long)b * dgates_ld;
        if (!real)
        {
            dh[e] = dht;
            dg[j] = 0.0f; dg[units + j] = 0.0f; dg[2 * units + j] = 0.0f;
            continue;
        }
        const float* g = gates + (long long)b * gates_ld;
        float z = g[j], cand = g[2 * units + j];
        float hp = h_prev[(long long)b * h_prev_ld + j];
        dg[j] = dht * (hp - cand) * z * (1.0f - z);
        dg[units + j] = 0.0f;
        dg[2 * units + j] = dht * (1.0f - z) * activation_grad_from_output(act, cand);
        dh[e] = dht * z;
    }
}

// reset_before backward, part 2: drh = d(r*h_prev) [B, H] contiguous; masked rows have drh = 0 and stay zero.
extern "C" __global__ void gru_rb_backward_reset_step_f32(
    const float* gates, int gates_ld, const float* h_prev, int h_prev_ld,
    const float* drh, float* dh,
    float* dgates, int dgates_ld,
    int batch, int units)
{
    GRID_STRIDE(e, (long long)batch * units)
    {
        int b = (int)(e / units), j = (int)(e - (long long)b * units);
        float rg = gates[(long long)b * gates_ld + units + j];
        float hp = h_prev[(long long)b * h_prev_ld + j];
        float d = drh[e];
        dgates[(long long)b * dgates_ld + units + j] = d * hp * rg * (1.0f - rg);
        dh[e] += d * rg;
    }
}
