using System.CommandLine;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.MnistCustomCell;

/// <summary>The <c>mnist-custom-cell</c> subcommand.</summary>
internal static class MnistCustomCellCommand
{
    public static Command Create()
    {
        var command = new Command("mnist-custom-cell", "An LSTM cell written from primitive ops vs the built-in LSTM, 128 units each, on MNIST rows; Adam 0.01; both test accuracies.");
        var common = CommonOptions.AddTo(command, MnistCustomCellExample.DefaultEpochs, MnistCustomCellExample.DefaultBatchSize, "Epochs for each of the two models.");
        command.SetAction(result =>
        {
            var options = common.Bind(result);
            options.Output.WriteLine("Loading MNIST (fetched into the dataset cache on first use)...");
            MnistCustomCellExample.Run(options, MnistDigits.Load());
        });
        return command;
    }
}
