using System.CommandLine;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.RnnShapes;

/// <summary>The <c>rnn-shapes</c> subcommand (no training: the epoch and batch options are accepted for uniformity).</summary>
internal static class RnnShapesCommand
{
    public static Command Create()
    {
        var command = new Command("rnn-shapes", "Output shapes (returnSequences, returnState), parameter counts, and a SimpleRNN forward pass recomputed by hand.");
        var common = CommonOptions.AddTo(command, epochs: 0, batchSize: 1, "Unused: this example trains nothing.");
        command.SetAction(result => RnnShapesExample.Run(common.Bind(result), RnnShapesExample.DefaultInput()));
        return command;
    }
}
