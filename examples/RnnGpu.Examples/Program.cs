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
catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException
                              or CudaException or DatasetUnavailableException or PackageIntegrityException or TrainingDivergedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
