namespace RnnGpu.Bench.Report;

/// <summary>One timed case from any source, in the common shape the report joins on (config, mode, device).</summary>
/// <param name="Config">Configuration name from configs.json.</param>
/// <param name="Mode">inference or training.</param>
/// <param name="Device">cpu or gpu.</param>
/// <param name="Impl">ours, torchsharp, torch-cpu, cudnn-fp32, cudnn-tf32, ...</param>
/// <param name="MeanMs">Mean time per call in milliseconds.</param>
/// <param name="Source">File it came from.</param>
public sealed record Measurement(string Config, string Mode, string Device, string Impl, double MeanMs, string Source);
