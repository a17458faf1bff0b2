// The block tiling shared by the LSTM, GRU (reset-after) and SimpleRNN step kernels. KernelSources prepends this file,
// after common.cuh, to every family.
//
// A block owns STEP_UNITS hidden units of STEP_ROWS batch rows, one-dimensional grid: block = row tile * unit tiles +
// unit tile. The recurrent sums h_prev·U the cell needs come either from a cuBLAS GEMM the host ran before the launch
// (hu: large layers) or from the block itself (u: small layers, where one launch per step instead of a GEMM plus a
// launch is what counts). The block can compute its own sums without any grid-wide sync because a step reads only the
// previous step's state (or, backward, the next step's gate gradients), which the previous launch completed (or, in a
// persistent loop of several steps per launch, which grid_sync below waited for).
// The host mirrors STEP_UNITS and STEP_ROWS in CudaRecurrentStepPlan and picks the block size per helper below.

#define STEP_UNITS 8
#define STEP_ROWS 16
// Shared scratch of the block's product: first the tile's rows of the left operand, a chunk of k at a time, then the
// partial sums, STEP_ROWS * cols * (slices + 1) floats with cols * slices threads: at most 16 * 32 * 9 (LSTM forward:
// 32 columns, 8 slices). Partial sums are laid out [row][column][slice], padded to an odd slice stride: a forward warp
// (consecutive columns), a backward warp (consecutive slices) and the reduction (consecutive row-columns) all hit 32
// banks.
#define STEP_SCRATCH (32 * STEP_ROWS * 9)
#define STEP_SUMS (STEP_ROWS * 4 * STEP_UNITS)

struct StepTile { int u0, r0, rows; };

// The time loops' sequences are batch-major, [B, T, width]: the offset of batch row b's values at step t. The step
// functions take the sequences' base pointers and t, and find every row through this.
static __device__ __forceinline__ long long seq_at(long long b, int t, int steps, int width)
{
    return (b * steps + t) * width;
}

// This block's tile: its first unit and first batch row, and how many of its STEP_ROWS rows the batch has.
static __device__ __forceinline__ StepTile step_tile(int batch, int units)
{
    int unit_tiles = (units + STEP_UNITS - 1) / STEP_UNITS;
    int row_tile = (int)(blockIdx.x / unit_tiles);
    StepTile tile;
    tile.u0 = ((int)blockIdx.x - row_tile * unit_tiles) * STEP_UNITS;
    tile.r0 = row_tile * STEP_ROWS;
    tile.rows = batch - tile.r0 < STEP_ROWS ? batch - tile.r0 : STEP_ROWS;
    return tile;
}

// The block's product: sums[r * cols + c] = sum over k < depth of a[(r0 + r) * a_ld + k] * w_c[k * w_stride], where this
// thread works on column c (base w_c, null when the column is past the layer's last unit) and adds up the k with
// k % slices == s, in order; the block then reduces the slices in shared memory. Returns sums (shared).
// The tile's rows of a are fresh (the previous step wrote them, on other multiprocessors), so they come from L2: the
// whole block first copies a chunk of them to shared memory with independent, coalesced loads, rather than every
// thread waiting on its own loads one k after another. The chunk is a multiple of slices, so each thread still meets
// its k in order.
static __device__ const float* step_product(const float* a, int a_ld, int depth, const float* w, long long w_stride,
                                            int c, int s, int cols, int slices, StepTile tile)
{
    __shared__ float scratch[STEP_SCRATCH];
    __shared__ float sums[STEP_SUMS];
    float acc[STEP_ROWS];
#pragma unroll
    for (int r = 0; r < STEP_ROWS; r++) acc[r] = 0.0f;
    bool active = w && c < cols && s < slices;
    const float* rows = a + (long long)tile.r0 * a_ld;
    int chunk = STEP_SCRATCH / tile.rows / slices * slices;
    for (int k0 = 0; k0 < depth; k0 += chunk)
    {
        int n = depth - k0 < chunk ? depth - k0 : chunk;
        for (int i = (int)threadIdx.x; i < tile.rows * n; i += (int)blockDim.x)
        {
            int r = i / n;
            scratch[i] = rows[(long long)r * a_ld + k0 + (i - r * n)];
        }
        __syncthreads();
        if (active)
        {
#pragma unroll 4
            for (int k = s; k < n; k += slices)
            {
                float wk = w[(k0 + k) * w_stride];
                // Rows in groups of four behind a block-uniform test, so a batch of one costs one group, not sixteen guards.
#pragma unroll
                for (int q = 0; q < STEP_ROWS; q += 4)
                    if (q < tile.rows)
                    {
#pragma unroll
                        for (int r = q; r < q + 4; r++)
                            if (r < tile.rows) acc[r] += scratch[r * n + k] * wk;
                    }
            }
        }
        __syncthreads();
    }
    float* partial = scratch;
    if (c < cols && s < slices)
    {
#pragma unroll
        for (int r = 0; r < STEP_ROWS; r++)
            if (r < tile.rows) partial[(r * cols + c) * (slices + 1) + s] = acc[r];
    }
    __syncthreads();
    for (int i = (int)threadIdx.x; i < tile.rows * cols; i += (int)blockDim.x)
    {
        const float* p = partial + i * (slices + 1);
        float sum = 0.0f;
        for (int q = 0; q < slices; q++) sum += p[q];
        sums[i] = sum;
    }
    __syncthreads();
    return sums;
}

// Forward step t: the block's tile of h_prev·U, h_prev being step t's rows of the state sequence hseq ([B, T, units]),
// gate-major per row (sums[r * gates * STEP_UNITS + g * STEP_UNITS + c], read through step_sum), or null without u
// (the host then passes cuBLAS's hu). Block size: a multiple of the gates * STEP_UNITS columns, at most 256; column c
// is gate c / STEP_UNITS of unit u0 + c % STEP_UNITS, whose k range is split over blockDim.x / columns slices.
static __device__ const float* step_forward_sums(const float* hseq, const float* u, int gates, int units, int steps, int t,
                                                 StepTile tile)
{
    if (!u) return 0;
    int cols = gates * STEP_UNITS, c = (int)threadIdx.x % cols, j = tile.u0 + c % STEP_UNITS;
    const float* w = j < units ? u + (c / STEP_UNITS) * units + j : 0;
    return step_product(hseq + t * units, steps * units, units, w, (long long)gates * units, c, (int)threadIdx.x / cols,
                        cols, (int)blockDim.x / cols, tile);
}

// Backward step t: the block's tile of dnext·Uᵀ (sums[r * STEP_UNITS + c] for unit u0 + c), dnext being step t + 1's
// rows of the gate gradients dgates ([B, T, gates * units]); null without u, and at the last step, which has no next.
// Block size: STEP_UNITS * 32, a warp per unit whose lanes split the gates * units columns (coalesced rows of U and dnext).
static __device__ const float* step_backward_sums(const float* dgates, const float* u, int gates, int units, int steps, int t,
                                                  StepTile tile)
{
    if (!u || t == steps - 1) return 0;
    int width = gates * units, c = (int)threadIdx.x / 32, k = tile.u0 + c;
    const float* w = k < units ? u + (long long)k * width : 0;
    return step_product(dgates + (t + 1) * width, steps * width, width, w, 1, c, (int)threadIdx.x % 32, STEP_UNITS, 32, tile);
}

// The recurrent sum of gate g for tile row r (batch row b) and tile unit c (unit j): from the host's hu = h_prev·U
// ([B, gates * units] contiguous) when given, else from the block's step_forward_sums.
static __device__ __forceinline__ float step_sum(const float* hu, const float* sums, int gates, int g, int r, int c,
                                                 long long b, int units, int j)
{
    return hu ? hu[b * gates * units + (long long)g * units + j] : sums[(r * gates + g) * STEP_UNITS + c];
}

// Backward, cell i of the tile: the gradient w.r.t. the state after the step, that is dh[e] ([B, H]) as the host or
// the previous launch left it, plus the output's gradient dout[s] ([B, T, H], or none), plus the block's share of
// dnext·Uᵀ.
static __device__ __forceinline__ float step_state_grad(const float* dh, long long e, const float* dout, long long s,
                                                        const float* sums, int i)
{
    return dh[e] + (dout ? dout[s] : 0.0f) + (sums ? sums[i] : 0.0f);
}

// Polls of a closed barrier after which grid_sync gives up: a step takes microseconds, so this many polls (seconds)
// mean a block will never arrive, and the kernel traps, failing the launch with an error instead of hanging the
// process. The CPU emulator, which switches blocks at each poll, sets a lower bound.
#ifndef GRID_SYNC_POLLS
#define GRID_SYNC_POLLS (1u << 24)
#endif

// One poll's pause. __nanosleep needs sm_70, and this file is part of every family, so older devices (cooperative
// launches exist from sm_60) poll without pausing.
static __device__ __forceinline__ void grid_sync_pause()
{
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 700
    __nanosleep(32);
#endif
}

// The grid-wide barrier between the steps of a persistent time loop (the *_steps_f32 kernels, launched cooperatively,
// so every block is resident and spinning cannot starve a block that has yet to arrive). barrier[0] counts arrivals,
// barrier[1] is the generation: the last block to arrive resets the count and starts the next generation, which
// releases the others. Both words are zero between launches. The fences order each block's writes of this step before
// its arrival, and the other blocks' writes before this block's reads of the next step.
static __device__ void grid_sync(unsigned* barrier)
{
    __syncthreads();
    if (threadIdx.x == 0)
    {
        volatile unsigned* generation = barrier + 1;
        unsigned seen = *generation;
        __threadfence();
        if (atomicAdd(barrier, 1u) == gridDim.x - 1)
        {
            atomicExch(barrier, 0u);
            __threadfence();
            atomicAdd(barrier + 1, 1u);
        }
        else
        {
            for (unsigned polls = 1; *generation == seen; polls++)
            {
                if (polls == GRID_SYNC_POLLS) __trap();
                grid_sync_pause();
            }
        }
        __threadfence();
    }
    __syncthreads();
}
