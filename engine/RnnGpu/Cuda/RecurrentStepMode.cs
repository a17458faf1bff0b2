namespace RnnGpu.Cuda;

/// <summary>
/// How the CUDA backend gets each timestep's recurrent product h_prev·U (set through <see cref="CudaBackend.RecurrentSteps"/>).
/// Both ways give the same results within float32 rounding; they differ in speed only.
/// </summary>
public enum RecurrentStepMode
{
    /// <summary>
    /// <see cref="Fused"/> where one step's product is small (batch · gates · units² at most 2²³ multiply-adds, e.g. an
    /// LSTM of 128 units at batch 128), <see cref="Cublas"/> above that.
    /// </summary>
    Auto,

    /// <summary>A cuBLAS GEMM for the product, then the cell kernel: two launches per step, the faster way for large layers.</summary>
    Cublas,

    /// <summary>
    /// One kernel per step in which each block computes its own tile of the product: half the launches and no cuBLAS
    /// call, for small layers where launch latency, not arithmetic, sets the time. A GRU with <c>reset_after: false</c>
    /// always uses cuBLAS (its candidate's product needs the whole reset gate first).
    /// </summary>
    Fused,

    /// <summary>
    /// As <see cref="Fused"/>, but the whole time loop of a layer is one cooperative kernel launch whose blocks wait
    /// for each other at a grid-wide barrier between steps: one launch per layer and direction instead of one per step.
    /// Needs a device with cooperative launches and a grid that fits on it at once (about one block per 8 units and
    /// 16 batch rows); otherwise the layer runs as <see cref="Fused"/>. A barrier still closed after seconds (a block
    /// that will never arrive) traps, so such a fault fails the launch (<see cref="CudaException"/>) instead of hanging.
    /// Not chosen by <see cref="Auto"/> until GPU timings show where it pays.
    /// </summary>
    Persistent,
}
