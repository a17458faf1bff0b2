using System.CommandLine;

namespace RnnGpu.Examples;

/// <summary>The command line: one subcommand per tutorial.</summary>
public static class ExampleCommands
{
    /// <summary>The root command with every example as a subcommand.</summary>
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand("RnnGpu examples: recurrent-network tutorials on the RnnGpu engine. Run a subcommand with --help for its options.");
        root.Subcommands.Add(FashionMnist.FashionMnistCommand.Create());
        root.Subcommands.Add(Cottbuser.CottbuserCommand.Create());
        root.Subcommands.Add(RnnShapes.RnnShapesCommand.Create());
        root.Subcommands.Add(Reuters.ReutersCommand.Create());
        root.Subcommands.Add(Names.NamesCommand.Create());
        root.Subcommands.Add(Words.WordsCommand.Create());
        root.Subcommands.Add(MnistCustomCell.MnistCustomCellCommand.Create());
        root.Subcommands.Add(Devices.DevicesCommand.Create());
        return root;
    }
}
