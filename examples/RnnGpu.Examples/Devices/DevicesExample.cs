using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Devices;

/// <summary>Reports the compute devices the engine can use: the CPU backend, and whether a GPU is usable (or why not).</summary>
public static class DevicesExample
{
    /// <summary>Prints the report; returns true when a GPU is usable.</summary>
    public static bool Run(ExampleOptions options)
    {
        var output = options.Output;
        output.WriteLine($"Processor cores: {Environment.ProcessorCount}, OS: {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
        using (var cpu = Device.Cpu.CreateBackend())
            output.WriteLine($"CPU backend: {cpu.Name}");

        bool gpuUsable;
        try
        {
            using var gpu = Device.Gpu().CreateBackend();
            output.WriteLine($"GPU backend: {gpu.Name}");
            gpuUsable = true;
        }
        catch (InvalidOperationException e)
        {
            output.WriteLine($"GPU: not usable. {e.Message}");
            gpuUsable = false;
        }

        // What was probed: CUDA devices (name, compute capability, memory), driver, library paths and versions.
        output.WriteLine();
        output.WriteLine(Device.Describe().TrimEnd());
        output.WriteLine();

        var notice = new StringWriter();
        using (var auto = Device.Auto.CreateBackend(notice))
            output.WriteLine($"--device auto picks: {auto.Name}{(notice.ToString().Trim() is { Length: > 0 } why ? $" ({why})" : "")}");
        return gpuUsable;
    }
}
