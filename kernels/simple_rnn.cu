// Fused SimpleRNN timestep kernels: h = act(x W + h_prev U + b). Same conventions as lstm.cu.

extern "C" __global__ void simple_rnn_forward_step_f32(
    const float* xproj, int xproj_ld, const float* hu, const float* bias,
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
        float h = activate(act, xproj[(long long)b * xproj_ld + j] + hu[e] + bias[j]);
        bool real = mask == 0 || mask[(long long)b * mask_ld] != 0.0f;
        float hp = h_prev[(long long)b * h_prev_ld + j];
        gates[(long long)b * gates_ld + j] = h;
        h_next[(long long)b * h_next_ld + j] = real ? h : hp;
        out[(long long)b * out_ld + j] = real ? h : hp;
    }
}

extern "C" __global__ void simple_rnn_backward_step_f32(
    const float* gates, int gates_ld,
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
            dg[j] = 0.0f;
            continue;
        }
        float h = gates[(long long)b * gates_ld + j];
        dg[j] = dht * activation_grad_from_output(act, h);
        dh[e] = 0.0f;
    }
}
