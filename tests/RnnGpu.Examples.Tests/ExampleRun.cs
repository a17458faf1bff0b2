using RnnGpu.Examples.Shared;

namespace RnnGpu.Examples.Tests;

/// <summary>One example run in a temporary output folder with its printed text captured; deletes the folder when disposed.</summary>
internal sealed class ExampleRun : IDisposable
{
    private readonly StringWriter _output = new();

    public ExampleRun(int epochs, int batchSize, int? limit = null)
    {
        OutDir = Path.Combine(Path.GetTempPath(), "rnngpu-examples-" + Guid.NewGuid().ToString("N"));
        Options = new ExampleOptions { Device = Device.Cpu, Epochs = epochs, BatchSize = batchSize, Seed = 3, OutDir = OutDir, Limit = limit, Output = _output };
    }

    public ExampleOptions Options { get; }

    public string OutDir { get; }

    /// <summary>Everything the example printed so far.</summary>
    public string Printed => _output.ToString();

    /// <summary>Asserts that every piece appears in the printed text.</summary>
    public void AssertPrinted(params string[] pieces)
    {
        foreach (string piece in pieces)
            Assert.That(Printed, Does.Contain(piece), $"printed output lacks \"{piece}\"");
    }

    /// <summary>Asserts that each file exists in the output folder and starts with the PNG signature.</summary>
    public void AssertPngs(params string[] names)
    {
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        foreach (string name in names)
        {
            string path = Path.Combine(OutDir, name);
            Assert.That(File.Exists(path), Is.True, $"{name} was not written");
            var head = new byte[signature.Length];
            using (var stream = File.OpenRead(path)) stream.ReadExactly(head);
            Assert.That(head, Is.EqualTo(signature), $"{name} is not a PNG");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(OutDir)) Directory.Delete(OutDir, recursive: true);
    }
}
