using RnnGpu.Cuda;

namespace RnnGpu.Bench.Timing;

/// <summary>GPU time between two CUDA events recorded on the backend's stream.</summary>
public sealed class CudaEventDeviceTimer(CudaBackend backend) : IDeviceTimer
{
    private readonly CudaTimer _timer = backend.CreateTimer();

    /// <inheritdoc />
    public string Method => "cuda-events";

    /// <inheritdoc />
    public void Start() => _timer.Start();

    /// <inheritdoc />
    public TimeSpan Stop() => _timer.Stop();

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();
}
