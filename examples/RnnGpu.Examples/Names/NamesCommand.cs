using System.CommandLine;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Names;

/// <summary>The <c>names</c> subcommand.</summary>
internal static class NamesCommand
{
    public static Command Create()
    {
        var command = new Command("names", "Char-level LSTM(128) over 10-character windows of female first names; after every epoch generates at temperatures 0.2, 0.5, 1.0, 1.2.");
        var common = CommonOptions.AddTo(command, NamesExample.DefaultEpochs, NamesExample.DefaultBatchSize, "Epochs (the tutorial's iterations); text is generated after each.");
        var length = new Option<int>("--generate") { Description = "Characters generated per temperature.", DefaultValueFactory = _ => NamesExample.DefaultGenerateLength };
        CommonOptions.AtLeast(length, 1);
        command.Options.Add(length);
        command.SetAction(result =>
        {
            var options = common.Bind(result);
            options.Output.WriteLine("Loading female first names (fetched into the dataset cache on first use)...");
            NamesExample.Run(options, FemaleFirstNames.Load(), result.GetValue(length));
        });
        return command;
    }
}
