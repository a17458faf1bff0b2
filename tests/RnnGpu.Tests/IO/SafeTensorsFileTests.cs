using System.Buffers.Binary;
using System.Collections;
using System.Text;
using System.Text.Json;
using NUnit.Framework;
using RnnGpu.IO;

namespace RnnGpu.Tests.IO;

[TestFixture]
public class SafeTensorsFileTests
{
    private string _directory = "";

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rnngpu-safetensors-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        // Undo the read-only test's permission change so the tree can be deleted.
        if (!OperatingSystem.IsWindows())
            foreach (var dir in Directory.EnumerateDirectories(_directory, "*", SearchOption.AllDirectories).Prepend(_directory))
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_directory, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    // ------------------------------------------------------------------ round trip

    [Test]
    public void RoundTrip_PreservesOrderShapesDataAndMetadata()
    {
        var random = new Random(5);
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("dense/kernel", new Tensor(Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble()).ToArray(), 3, 4)),
            new("bias", new Tensor([float.MaxValue, float.Epsilon, -0f, float.NaN], 4)),
            new("scalar", new Tensor([3.5f])),
            new("empty", new Tensor(0, 5)),
            new("a_last_alphabetically_first", new Tensor([1f, 2f], 2)),
            new("empty1d", new Tensor(0)),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "quotes \" and ünïcode ✓" };
        string path = PathOf("model.safetensors");

        SafeTensorsFile.Write(path, tensors, metadata);
        var content = SafeTensorsFile.Read(path);

        Assert.That(content.Tensors.Select(t => t.Key), Is.EqualTo(tensors.Select(t => t.Key)));
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.That(content.Tensors[i].Value.Shape, Is.EqualTo(tensors[i].Value.Shape), tensors[i].Key);
            Assert.That(content.Tensors[i].Value.Data.Select(BitConverter.SingleToInt32Bits),
                Is.EqualTo(tensors[i].Value.Data.Select(BitConverter.SingleToInt32Bits)), tensors[i].Key);
        }
        Assert.That(content.Metadata, Is.EquivalentTo(metadata));
        Assert.That(content["scalar"].Rank, Is.Zero);
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }), "no temp file is left behind");
    }

    [Test]
    public void RoundTrip_WithoutTensorsOrMetadata()
    {
        string path = PathOf("empty.safetensors");
        SafeTensorsFile.Write(path, []);
        var content = SafeTensorsFile.Read(path);
        Assert.That(content.Tensors, Is.Empty);
        Assert.That(content.Metadata, Is.Empty);
    }

    [Test]
    public void Write_ProducesSpecLayout_PaddedHeaderThenLittleEndianData()
    {
        string path = PathOf("layout.safetensors");
        SafeTensorsFile.Write(path, [new("x", new Tensor([1f, -2f, 0.5f], 3)), new("y", new Tensor([4f], 1, 1))], new Dictionary<string, string> { ["k"] = "v" });
        byte[] bytes = File.ReadAllBytes(path);

        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.That(headerLength % 8, Is.Zero, "header padded to a multiple of 8 bytes");
        Assert.That(bytes.Length, Is.EqualTo(8 + headerLength + 16));
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var x = header.RootElement.GetProperty("x");
        Assert.That(x.GetProperty("dtype").GetString(), Is.EqualTo("F32"));
        Assert.That(x.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), Is.EqualTo(new[] { 3 }));
        Assert.That(x.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(new long[] { 0, 12 }));
        Assert.That(header.RootElement.GetProperty("y").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()), Is.EqualTo(new long[] { 12, 16 }));
        Assert.That(header.RootElement.GetProperty("__metadata__").GetProperty("k").GetString(), Is.EqualTo("v"));
        Assert.That(bytes[(int)(8 + headerLength)..], Is.EqualTo(new byte[] { 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F, 0, 0, 0x80, 0x40 }));
    }

    // ------------------------------------------------------------------ hand-built files (interoperability)

    [Test]
    public void Read_HandBuiltFile_MatchesSpec()
    {
        // Unpadded header, tensors listed out of offset order, metadata last: all legal per the format.
        const string header = """{"b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"format":"np"}}""";
        byte[] data = [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F]; // 1.0f, -2.0f, 0.5f
        string path = WriteRaw("hand.safetensors", header, data);

        var content = SafeTensorsFile.Read(path);

        Assert.That(content.Tensors.Select(t => t.Key), Is.EqualTo(new[] { "b", "w" }), "header order is kept");
        Assert.That(content["w"].Shape, Is.EqualTo(new[] { 2 }));
        Assert.That(content["w"].Data, Is.EqualTo(new[] { 1f, -2f }));
        Assert.That(content["b"].Shape, Is.EqualTo(new[] { 1, 1 }));
        Assert.That(content["b"].Data, Is.EqualTo(new[] { 0.5f }));
        Assert.That(content.Metadata["format"], Is.EqualTo("np"));
    }

    [Test]
    public void Read_ConvertsF64F16AndBF16ToFloat()
    {
        const string header = """{"d":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"bf":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]}}  """;
        byte[] data =
        [
            0, 0, 0, 0, 0, 0, 0xD0, 0x3F, // F64 0.25
            0x00, 0x3C, 0x00, 0xC0,       // F16 1.0, -2.0
            0x80, 0x3F, 0x40, 0x40,       // BF16 1.0, 3.0
        ];
        var content = SafeTensorsFile.Read(WriteRaw("mixed.safetensors", header, data));
        Assert.That(content["d"].Data, Is.EqualTo(new[] { 0.25f }));
        Assert.That(content["d"].Rank, Is.Zero);
        Assert.That(content["h"].Data, Is.EqualTo(new[] { 1f, -2f }));
        Assert.That(content["bf"].Data, Is.EqualTo(new[] { 1f, 3f }));
    }

    // ------------------------------------------------------------------ corrupt files

    [Test]
    public void Read_FileShorterThanLengthPrefix_Throws() =>
        ExpectProblem(WriteBytes("short.safetensors", [1, 2, 3]), "fewer than the 8-byte header length");

    [Test]
    public void Read_HeaderLengthBeyondFile_Throws()
    {
        byte[] bytes = new byte[8 + 16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        ExpectProblem(WriteBytes("long.safetensors", bytes), "header length 1000 exceeds the 16 bytes");
    }

    [Test]
    public void Read_AbsurdHeaderLength_Throws()
    {
        byte[] bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        ExpectProblem(WriteBytes("absurd.safetensors", bytes), "exceeds the 100000000-byte limit");
    }

    [Test]
    public void Read_TruncatedData_Throws()
    {
        string path = PathOf("truncated.safetensors");
        SafeTensorsFile.Write(path, [new("w", new Tensor(new float[10], 10))]);
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 4);
        ExpectProblem(path, "tensor 'w' has data_offsets [0, 40] beyond the 36-byte data buffer");
    }

    [Test]
    public void Read_BadJson_Throws() =>
        ExpectProblem(WriteRaw("badjson.safetensors", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}""", new byte[4]), "not valid UTF-8 JSON");

    [Test]
    public void Read_HeaderNotAnObject_Throws() =>
        ExpectProblem(WriteRaw("array.safetensors", "[1,2]", []), "must be a JSON object");

    [Test]
    public void Read_OverlappingOffsets_Throws() =>
        ExpectProblem(
            WriteRaw("overlap.safetensors", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]),
            "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a'");

    [Test]
    public void Read_UnsupportedDtype_Throws() =>
        ExpectProblem(WriteRaw("int.safetensors", """{"i":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]),
            "tensor 'i' has dtype 'I32', which is not supported");

    [Test]
    public void Read_OffsetsInconsistentWithShape_Throws() =>
        ExpectProblem(WriteRaw("size.safetensors", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]),
            "needs 12 bytes but its data_offsets [0, 8] span 8");

    [Test]
    public void Read_NegativeShape_Throws() =>
        ExpectProblem(WriteRaw("negative.safetensors", """{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4]),
            "shape entry -1");

    [Test]
    public void Read_UncoveredBytes_Throws() =>
        ExpectProblem(WriteRaw("hole.safetensors", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[8]),
            "has 8 bytes but the tensors cover only 4");

    [Test]
    public void Read_DuplicateName_Throws() =>
        ExpectProblem(WriteRaw("dup.safetensors", """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", new byte[8]),
            "declares 'w' twice");

    [Test]
    public void Read_InvalidUtf8InAName_Throws()
    {
        var header = Encoding.UTF8.GetBytes("""{"a?":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        header[Array.IndexOf(header, (byte)'?')] = 0xFF; // valid JSON structure, invalid bytes inside a string
        var bytes = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        ExpectProblem(WriteBytes("utf8.safetensors", bytes), "not valid UTF-8");
    }

    [Test]
    public void Read_LoneSurrogateEscapeInMetadata_Throws() =>
        ExpectProblem(WriteRaw("surrogate.safetensors", """{"__metadata__":{"format":"\ud800"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", new byte[4]),
            "not valid text");

    [Test]
    public void Read_ZeroElementsInAHugeShape_IsAnEmptyTensor()
    {
        var content = SafeTensorsFile.Read(WriteRaw("empty.safetensors", """{"e":{"dtype":"F32","shape":[65536,65536,0],"data_offsets":[0,0]}}""", []));
        Assert.That(content.TryGetTensor("e", out var e) && e.Length == 0 && e.Shape.SequenceEqual([65536, 65536, 0]));
    }

    [Test]
    public void Read_ShapeOfMoreThanIntMaxElements_Throws() =>
        ExpectProblem(WriteRaw("huge.safetensors", """{"h":{"dtype":"F32","shape":[65536,65536,1],"data_offsets":[0,0]}}""", []),
            "tensor 'h' of shape [65536, 65536, 1] has more than 2147483647 elements");

    [Test]
    public void Read_MissingFile_ThrowsFileNotFound() =>
        Assert.That(() => SafeTensorsFile.Read(PathOf("missing.safetensors")), Throws.InstanceOf<FileNotFoundException>());

    // ------------------------------------------------------------------ atomic write

    [Test]
    public void Write_ListThrowingWhileEnumerating_LeavesOldFileIntact()
    {
        string path = PathOf("model.safetensors");
        SafeTensorsFile.Write(path, [new("old", new Tensor([7f], 1))]);
        byte[] before = File.ReadAllBytes(path);

        Assert.That(() => SafeTensorsFile.Write(path, new ThrowingList()), Throws.InvalidOperationException);

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_directory), Is.EqualTo(new[] { path }), "no temp file is left behind");
    }

    [Test]
    public void Write_FailingFinalMove_RemovesTempFile()
    {
        // The target is a directory: the temp file is fully written, then the move fails.
        string path = PathOf("occupied");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "keep.txt"), "keep");

        Assert.That(() => SafeTensorsFile.Write(path, [new("w", new Tensor([1f], 1))]), Throws.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>());

        Assert.That(Directory.GetFiles(_directory), Is.Empty, "no temp file is left behind");
        Assert.That(File.ReadAllText(Path.Combine(path, "keep.txt")), Is.EqualTo("keep"));
    }

    [Test]
    public void Write_ThroughASymbolicLink_ReplacesTheFileItPointsTo()
    {
        string target = PathOf("target.safetensors"), link = PathOf("link.safetensors");
        SafeTensorsFile.Write(target, [new("old", new Tensor([7f], 1))]);
        File.CreateSymbolicLink(link, target);

        SafeTensorsFile.Write(link, [new("new", new Tensor([1f], 1))]);

        Assert.That(new FileInfo(link).LinkTarget, Is.EqualTo(target), "the link is still a link");
        Assert.That(SafeTensorsFile.Read(target).TryGetTensor("new", out _), "and the file it points to holds the new tensors");
    }

    [Test]
    public void Write_FailingWrite_NamesTheCallersPathNotTheTemporaryFile()
    {
        string path = PathOf("occupied");
        Directory.CreateDirectory(path);
        var e = Assert.Catch(() => SafeTensorsFile.Write(path, [new("w", new Tensor([1f], 1))]))!;
        Assert.That(e.Message, Does.StartWith($"Cannot write '{path}'").And.Not.Contain(".tmp"));
    }

    [Test]
    public void Write_ReadOnlyDirectory_LeavesOldFileIntact()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("Uses Unix directory permissions.");
            return;
        }
        string directory = PathOf("readonly");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "model.safetensors");
        SafeTensorsFile.Write(path, [new("old", new Tensor([7f], 1))]);
        byte[] before = File.ReadAllBytes(path);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        if (CanCreateFileIn(directory))
            Assert.Ignore("Running with privileges that ignore directory permissions (root).");

        Assert.That(() => SafeTensorsFile.Write(path, [new("new", new Tensor([1f], 1))]), Throws.InstanceOf<UnauthorizedAccessException>().Or.InstanceOf<IOException>());

        Assert.That(File.ReadAllBytes(path), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(directory), Is.EqualTo(new[] { path }));
    }

    // ------------------------------------------------------------------ helpers

    private static void ExpectProblem(string path, string problem)
    {
        var exception = Assert.Throws<WeightFileException>(() => SafeTensorsFile.Read(path))!;
        Assert.That(exception.Message, Does.Contain(path), "the message names the file");
        Assert.That(exception.Message, Does.Contain(problem));
        Assert.That(exception.FilePath, Is.EqualTo(path));
    }

    /// <summary>Builds a file by hand from the spec: u64 LE header length, the header bytes as given, the data.</summary>
    private string WriteRaw(string name, string header, byte[] data)
    {
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + headerBytes.Length);
        return WriteBytes(name, bytes);
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static bool CanCreateFileIn(string directory)
    {
        try
        {
            string probe = Path.Combine(directory, "probe");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>A tensor list that fails part-way through enumeration.</summary>
    private sealed class ThrowingList : IReadOnlyList<KeyValuePair<string, Tensor>>
    {
        public int Count => 2;

        public KeyValuePair<string, Tensor> this[int index] =>
            index == 0 ? new("first", new Tensor([1f], 1)) : throw new InvalidOperationException("enumeration failed");

        public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator()
        {
            yield return this[0];
            yield return this[1];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
