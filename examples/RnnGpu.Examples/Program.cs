using System.CommandLine;
using RnnGpu.Cuda;
using RnnGpu.Datasets;
using RnnGpu.Examples;
using RnnGpu.Training;

// Errors a user can act on (bad arguments or data, no GPU, a missing dataset, a diverging run) are one line on standard
// error and exit code 1; anything else is a bug and keeps its stack trace.
try
{
    return ExampleCommands.CreateRoot().Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e) when (Actionable(e) is { } actionable)
{
    Console.Error.WriteLine($"error: {RnnGpu.Examples.Shared.CommonOptions.UserMessage(actionable)}");
    return 1;
}

// A parallel loader (Fashion-MNIST's) wraps the error of the file it failed on.
static Exception? Actionable(Exception e) => e switch
{
    AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.Select(Actionable).FirstOrDefault(a => a is not null),
    ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or InvalidDataException
        or CudaException or DatasetUnavailableException or PackageIntegrityException or TrainingDivergedException => e,
    _ => null,
};
