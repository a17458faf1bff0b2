using System.CommandLine;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Devices;

/// <summary>The <c>devices</c> subcommand.</summary>
internal static class DevicesCommand
{
    public static Command Create()
    {
        var command = new Command("devices", "Prints the CPU backend, what CUDA devices and libraries were found (name, compute capability, memory, driver, library paths and versions), and whether a GPU is usable (and why not).");
        var common = CommonOptions.AddTo(command, epochs: 0, batchSize: 1, "Unused: this command trains nothing.");
        command.SetAction(result => DevicesExample.Run(common.Bind(result)));
        return command;
    }
}
