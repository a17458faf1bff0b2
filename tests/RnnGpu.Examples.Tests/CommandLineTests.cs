using System.CommandLine;

namespace RnnGpu.Examples.Tests;

/// <summary>The command line offers every example with the shared options and rejects bad values before running anything.</summary>
public class CommandLineTests
{
    private static readonly string[] Examples = ["fashion-mnist", "cottbuser", "rnn-shapes", "reuters", "names", "words", "mnist-custom-cell", "devices"];

    [Test]
    public void Every_example_is_a_subcommand_with_the_shared_options()
    {
        var root = ExampleCommands.CreateRoot();
        Assert.That(root.Subcommands.Select(c => c.Name), Is.EquivalentTo(Examples));
        foreach (var command in root.Subcommands)
            Assert.That(command.Options.Select(o => o.Name), Is.SupersetOf(new[] { "--device", "--epochs", "--seed", "--out", "--limit" }), command.Name);
        // cottbuser trains on one sequence: a batch size would be an option that changes nothing.
        Assert.That(root.Subcommands.Where(c => !c.Options.Any(o => o.Name == "--batch-size")).Select(c => c.Name), Is.EquivalentTo(new[] { "cottbuser" }));
    }

    [TestCase("fashion-mnist", 10, 128)]
    [TestCase("reuters", 200, 50)]
    [TestCase("names", 20, 128)]
    [TestCase("mnist-custom-cell", 2, 100)]
    public void Defaults_follow_the_tutorials(string example, int epochs, int batchSize)
    {
        var result = ExampleCommands.CreateRoot().Parse([example]);
        Assert.That(result.Errors, Is.Empty);
        var command = (Command)result.CommandResult.Command;
        Assert.That(result.GetValue<int>("--epochs"), Is.EqualTo(epochs));
        Assert.That(result.GetValue<int>("--batch-size"), Is.EqualTo(batchSize));
        Assert.That(result.GetValue<string>("--out"), Is.EqualTo(Path.Combine("out", command.Name)));
        Assert.That(result.GetValue<string>("--device"), Is.EqualTo("auto"));
    }

    [TestCase("fashion-mnist", "--device", "tpu")]
    [TestCase("names", "--batch-size", "0")]
    [TestCase("reuters", "--models", "gru")]
    [TestCase("cottbuser", "--limit", "0")]
    [TestCase("cottbuser", "--learning-rate", "-1")]
    [TestCase("cottbuser", "--sentence", "x")]
    [TestCase("words", "--temperature", "-1")]
    [TestCase("names", "--epochs", "abc")]
    [TestCase("cottbuser", "--check-every", "abc")]
    [TestCase("reuters", "--models", ",")]
    [TestCase("words", "--vocabulary", "0")]
    [TestCase("fashion-mnist", "--out", "")]
    public void Bad_values_are_parse_errors(string example, string option, string value)
    {
        var result = ExampleCommands.CreateRoot().Parse([example, option, value]);
        Assert.That(result.Errors, Has.Count.EqualTo(1), "one error, the parser's or the option's own, and no exception from a validator");
        Assert.That(result.Errors[0].Message, Does.Contain(option).Or.Contain(value).Or.Contain("No model named"));
        Assert.That(result.Errors[0].Message, Does.Not.Contain("(Parameter"), "no method parameter's name in a message for the user");
    }

    [Test]
    public void An_output_folder_that_cannot_be_created_fails_before_any_work()
    {
        string blocker = Path.GetTempFileName();                 // a file where a folder's parent should be
        try
        {
            var run = ExampleCommands.CreateRoot().Parse(["rnn-shapes", "--device", "cpu", "--out", Path.Combine(blocker, "plots")]);
            var e = Assert.Throws<ArgumentException>(() => run.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = TextWriter.Null }));
            Assert.That(e!.Message, Does.StartWith("--out ").And.Contain("cannot be created"));
        }
        finally { File.Delete(blocker); }
    }
}
