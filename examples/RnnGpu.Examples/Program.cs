using System.CommandLine;
using RnnGpu.Examples;

return ExampleCommands.CreateRoot().Parse(args).Invoke();
