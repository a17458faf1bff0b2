using System.CommandLine;
using RnnGpu.Datasets;
using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Words;

/// <summary>The <c>words</c> subcommand.</summary>
internal static class WordsCommand
{
    /// <summary>First year of the default selection of addresses.</summary>
    public const int DefaultFromYear = 2016;

    /// <summary>Last year of the default selection of addresses.</summary>
    public const int DefaultToYear = 2018;

    public static Command Create()
    {
        var defaults = new WordsSettings();
        var command = new Command("words",
            "Word-level 2-layer LSTM (1024, 512) predicts the next word from 7 in State of the Union addresses, then continues --prompt. " +
            "On 2 CPU cores shrink it with --units1 256 --units2 128 (or --limit) for a quick run.");
        var common = CommonOptions.AddTo(command, WordsExample.DefaultEpochs, WordsExample.DefaultBatchSize);
        var from = new Option<int>("--from") { Description = "First year of the addresses used.", DefaultValueFactory = _ => DefaultFromYear };
        var to = new Option<int>("--to") { Description = "Last year of the addresses used.", DefaultValueFactory = _ => DefaultToYear };
        var vocabulary = new Option<int>("--vocabulary") { Description = "Most frequent words kept (the unknown-word entry included).", DefaultValueFactory = _ => defaults.VocabularySize };
        var units1 = new Option<int>("--units1") { Description = "Units of the first LSTM (tutorial: 1024; 256 trains far faster on a CPU).", DefaultValueFactory = _ => defaults.Units1 };
        var units2 = new Option<int>("--units2") { Description = "Units of the second LSTM (tutorial: 512; 128 trains far faster on a CPU).", DefaultValueFactory = _ => defaults.Units2 };
        var printEvery = new Option<int>("--print-every") { Description = "Iterations (batches) between progress reports.", DefaultValueFactory = _ => defaults.PrintEvery };
        var prompt = new Option<string?>("--prompt") { Description = "Text to continue after training (without it a terminal is asked for prompts)." };
        var words = new Option<int>("--words") { Description = "Words generated after the prompt.", DefaultValueFactory = _ => defaults.GenerateWords };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature of the continuation (0: most likely word).", DefaultValueFactory = _ => defaults.Temperature };
        foreach (var option in new[] { units1, units2, printEvery, words }) CommonOptions.AtLeast(option, 1);
        CommonOptions.AtLeast(vocabulary, 2);
        CommonOptions.Require(temperature, v => v >= 0 && double.IsFinite(v), "must be >= 0 (0: the most likely word)");
        command.Options.Add(from);
        command.Options.Add(to);
        command.Options.Add(vocabulary);
        command.Options.Add(units1);
        command.Options.Add(units2);
        command.Options.Add(printEvery);
        command.Options.Add(prompt);
        command.Options.Add(words);
        command.Options.Add(temperature);
        command.SetAction(result =>
        {
            var options = common.Bind(result);
            int first = result.GetValue(from), last = result.GetValue(to);
            options.Output.WriteLine($"Loading State of the Union addresses {first}–{last} (fetched into the dataset cache on first use)...");
            var addresses = StateOfTheUnion.Load(first, last);
            if (addresses.Count == 0) throw new ArgumentException($"No address between {first} and {last}; pick other --from/--to years.");
            WordsExample.Run(options, [.. addresses.Select(a => a.Text)], defaults with
            {
                VocabularySize = result.GetValue(vocabulary),
                Units1 = result.GetValue(units1),
                Units2 = result.GetValue(units2),
                PrintEvery = result.GetValue(printEvery),
                Prompt = result.GetValue(prompt),
                GenerateWords = result.GetValue(words),
                Temperature = result.GetValue(temperature),
                Interactive = !Console.IsInputRedirected && !Console.IsOutputRedirected,
            });
            return 0;
        });
        return command;
    }
}
