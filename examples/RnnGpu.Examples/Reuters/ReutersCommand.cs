using System.CommandLine;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Reuters;

/// <summary>The <c>reuters</c> subcommand.</summary>
internal static class ReutersCommand
{
    public static Command Create()
    {
        var command = new Command("reuters", "Vanilla RNN, stacked RNN, LSTM and stacked LSTM on Reuters topics (one raw word index per step), plus Embedding(maskZero)+LSTM; a table beside the tutorial's accuracies.");
        var common = CommonOptions.AddTo(command, ReutersExample.DefaultEpochs, ReutersExample.DefaultBatchSize, "Epochs for every model.");
        var models = new Option<string>("--models")
        {
            Description = $"Comma-separated models to train: {string.Join(", ", ReutersModelKind.All.Select(m => m.Key))}, or all.",
            DefaultValueFactory = _ => "all",
        };
        models.Validators.Add(r =>
        {
            try { ReutersModelKind.ParseList(r.GetValueOrDefault<string>() ?? "all"); }
            catch (ArgumentException e) { r.AddError(e.Message); }
        });
        command.Options.Add(models);
        command.SetAction(result =>
        {
            var options = common.Bind(result);
            options.Output.WriteLine("Loading Reuters (num_words 30,000, maxlen 50, test_split 0.3; fetched into the dataset cache on first use)...");
            ReutersExample.Run(options, ReutersNewswires.Load(ReutersExample.TutorialOptions()), ReutersModelKind.ParseList(result.GetValue(models) ?? "all"));
        });
        return command;
    }
}
