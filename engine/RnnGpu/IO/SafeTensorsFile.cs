using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RnnGpu.IO;

/// <summary>
/// Reads and writes the safetensors weight format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON describing each tensor (dtype, shape, data_offsets) plus optional <c>__metadata__</c>, then the raw
/// little-endian data buffer the offsets point into.
/// </summary>
public static class SafeTensorsFile
{
    /// <summary>Largest header accepted on read, as in the reference implementation: guards against absurd allocations.</summary>
    private const long MaxHeaderLength = 100_000_000;

    private const int LengthPrefixSize = 8;

    /// <summary>
    /// Writes <paramref name="tensors"/> (as F32, in the given order) and optional metadata to <paramref name="path"/>.
    /// Writes atomically: to a temp file in the same directory, flush to disk, then File.Move(overwrite: true); a
    /// failure leaves any existing file intact and removes the temp file.
    /// </summary>
    /// <exception cref="ArgumentException">A name is empty, reserved or repeated, or a tensor is null.</exception>
    /// <exception cref="IOException">The file could not be written (disk full, say); the message names <paramref name="path"/>.</exception>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        // Snapshot first: the header and the data must describe the same tensors even if the list is mutated.
        var snapshot = tensors.ToArray();
        var entries = Layout(snapshot);
        if (metadata != null)
            foreach (var (key, value) in metadata)
                if (key is null || value is null) throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
        byte[] header = SafeTensorsHeader.Build(entries, metadata);

        string fullPath = Path.GetFullPath(path);
        // A link is written through, as a plain write would: the rename replaces the file it points to, not the link.
        var file = new FileInfo(fullPath);
        if (file.LinkTarget is not null && file.ResolveLinkTarget(returnFinalTarget: true) is { } target) fullPath = target.FullName;
        string directory = Path.GetDirectoryName(fullPath)!;
        // Checked here so the error names the user's path, not the temporary file's.
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{directory}' does not exist.");
        string tempPath = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                Span<byte> prefix = stackalloc byte[LengthPrefixSize];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (var (_, tensor) in snapshot) WriteData(stream, tensor.Data);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(tempPath);
            // The temporary file's name means nothing to the caller: name the file they asked for.
            if (e is IOException) throw new IOException($"Cannot write '{path}' (the previous file, if any, is unchanged): {e.Message}", e);
            if (e is UnauthorizedAccessException) throw new UnauthorizedAccessException($"Cannot write '{path}' (the previous file, if any, is unchanged): {e.Message}", e);
            throw;
        }
    }

    /// <summary>
    /// Reads and fully validates a safetensors file: header length sane and within the file, JSON well-formed,
    /// dtype F32 (F64, F16 and BF16 are converted to float), shapes non-negative, offsets consistent with
    /// shape × dtype size, in range, non-overlapping and covering the data buffer.
    /// </summary>
    /// <exception cref="WeightFileException">The file is malformed; the message names the file and the problem.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SafeTensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long fileLength = RandomAccess.GetLength(handle);
        if (fileLength < LengthPrefixSize)
            throw new WeightFileException(path, $"the file has {fileLength} bytes, fewer than the {LengthPrefixSize}-byte header length");

        Span<byte> prefix = stackalloc byte[LengthPrefixSize];
        ReadExactly(handle, prefix, 0);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
            throw new WeightFileException(path, $"the header length {headerLength} exceeds the {MaxHeaderLength}-byte limit (not a safetensors file?)");
        if ((long)headerLength > fileLength - LengthPrefixSize)
            throw new WeightFileException(path, $"the header length {headerLength} exceeds the {fileLength - LengthPrefixSize} bytes after the length prefix");

        var header = new byte[headerLength];
        ReadExactly(handle, header, LengthPrefixSize);
        long dataStart = LengthPrefixSize + (long)headerLength;
        List<SafeTensorsEntry> entries;
        Dictionary<string, string> metadata;
        try
        {
            (entries, metadata) = SafeTensorsHeader.Parse(header, fileLength - dataStart);
        }
        catch (InvalidDataException e)
        {
            throw new WeightFileException(path, e.Message, e.InnerException);
        }

        var tensors = new List<KeyValuePair<string, Tensor>>(entries.Count);
        foreach (var entry in entries)
            tensors.Add(new(entry.Name, ReadTensor(handle, dataStart, entry)));
        return new SafeTensorsContent(tensors, metadata);
    }

    /// <summary>Validates names and assigns each tensor its contiguous F32 byte range, in order.</summary>
    private static List<SafeTensorsEntry> Layout(KeyValuePair<string, Tensor>[] tensors)
    {
        var entries = new List<SafeTensorsEntry>(tensors.Length);
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("Tensor names must not be empty.", nameof(tensors));
            if (name == SafeTensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved for metadata.", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            long bytes = (long)tensor.Length * sizeof(float);
            entries.Add(new SafeTensorsEntry(name, SafeTensorsDType.Float32, tensor.Shape, offset, offset + bytes));
            offset += bytes;
        }
        return entries;
    }

    private static void WriteData(FileStream stream, float[] data)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            return;
        }
        Span<byte> element = stackalloc byte[sizeof(float)];
        foreach (float value in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(element, value);
            stream.Write(element);
        }
    }

    private static Tensor ReadTensor(SafeFileHandle handle, long dataStart, SafeTensorsEntry entry)
    {
        var tensor = new Tensor(entry.Shape);
        long byteCount = entry.End - entry.Begin;
        if (entry.DType == SafeTensorsDType.Float32 && BitConverter.IsLittleEndian)
        {
            // Already the in-memory layout: read straight into the tensor.
            ReadExactly(handle, MemoryMarshal.AsBytes(tensor.Data.AsSpan()), dataStart + entry.Begin);
            return tensor;
        }
        var raw = new byte[byteCount];
        ReadExactly(handle, raw, dataStart + entry.Begin);
        SafeTensorsDType.Decode(entry.DType, raw, tensor.Data);
        return tensor;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0) throw new EndOfStreamException($"Unexpected end of file at byte {offset}.");
            buffer = buffer[read..];
            offset += read;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
