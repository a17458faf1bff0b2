using System.CommandLine;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Cottbuser;

/// <summary>The <c>cottbuser</c> subcommand.</summary>
internal static class CottbuserCommand
{
    public static Command Create()
    {
        var command = new Command("cottbuser", "Two stacked GRU(50) memorise a tongue twister; a stateful batch-1 copy replays it from '*' every few dozen epochs until it is exact.");
        // One training sequence, so one batch of one: no --batch-size.
        var common = CommonOptions.AddTo(command, CottbuserExample.DefaultEpochs, batchSize: 1,
            "Most epochs before giving up (training stops once the sentence comes back exactly).", batchSizeOption: false);
        var checkEvery = new Option<int>("--check-every") { Description = "Epochs between two attempts of the prediction model.", DefaultValueFactory = _ => CottbuserExample.DefaultCheckEvery };
        CommonOptions.AtLeast(checkEvery, 1);
        var learningRate = new Option<double>("--learning-rate") { Description = "Adam's learning rate.", DefaultValueFactory = _ => CottbuserExample.DefaultLearningRate };
        var sentence = new Option<string>("--sentence") { Description = "The text to memorise; its first character starts the replay.", DefaultValueFactory = _ => CottbuserExample.Sentence };
        CommonOptions.Require(learningRate, v => v > 0 && double.IsFinite(v), "must be a positive number");
        CommonOptions.Require(sentence, s => s is { Length: >= 2 }, "needs at least 2 characters (the first starts the replay)");
        command.Options.Add(checkEvery);
        command.Options.Add(learningRate);
        command.Options.Add(sentence);
        command.SetAction(result => CottbuserExample.Run(common.Bind(result), result.GetValue(sentence) ?? CottbuserExample.Sentence,
            result.GetValue(checkEvery), result.GetValue(learningRate)));
        return command;
    }
}
