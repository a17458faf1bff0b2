using System.CommandLine;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.FashionMnist;

/// <summary>The <c>fashion-mnist</c> subcommand: loads the real data set and runs <see cref="FashionMnistExample"/>.</summary>
internal static class FashionMnistCommand
{
    public static Command Create()
    {
        var command = new Command("fashion-mnist", "LSTM(30) reads Fashion-MNIST images row by row (28 steps × 28 pixels); RMSprop; test accuracy and confusion matrix.");
        var common = CommonOptions.AddTo(command, FashionMnistExample.DefaultEpochs, FashionMnistExample.DefaultBatchSize);
        command.SetAction(result =>
        {
            var options = common.Bind(result);
            options.Output.WriteLine("Loading Fashion-MNIST (fetched into the dataset cache on first use)...");
            FashionMnistExample.Run(options, Datasets.FashionMnist.Load());
        });
        return command;
    }
}
