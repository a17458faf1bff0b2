using System.Text.Json;

namespace RnnGpu.IO;

/// <summary>Where one tensor lives in a safetensors data buffer, as declared by the header.</summary>
/// <param name="Name">The tensor's name (the header key).</param>
/// <param name="DType">The safetensors dtype name, e.g. "F32".</param>
/// <param name="Shape">The extents, empty for a scalar.</param>
/// <param name="Begin">First byte, relative to the start of the data buffer.</param>
/// <param name="End">One past the last byte.</param>
internal sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End);

/// <summary>
/// The JSON header of a safetensors file: building it for <see cref="SafeTensorsFile.Write"/> and parsing and
/// validating it for <see cref="SafeTensorsFile.Read"/>. Parse errors are reported as plain messages; the caller
/// adds the file name.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The reserved key of the string-to-string metadata map.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Serialises entries and metadata as UTF-8 JSON, space-padded to a multiple of 8 bytes so the data buffer stays aligned.</summary>
    public static byte[] Build(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            foreach (var entry in entries)
            {
                writer.WriteStartObject(entry.Name);
                writer.WriteString("dtype", entry.DType);
                writer.WriteStartArray("shape");
                foreach (int d in entry.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(entry.Begin);
                writer.WriteNumberValue(entry.End);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        int padding = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < padding; i++) json.WriteByte((byte)' ');
        return json.ToArray();
    }

    /// <summary>
    /// Parses the header and checks every entry against a data buffer of <paramref name="dataLength"/> bytes:
    /// known dtype, non-negative shape, offsets matching shape × element size, and tensors tiling the buffer
    /// exactly (no overlap, no gap, nothing beyond it).
    /// </summary>
    /// <exception cref="InvalidDataException">The header is malformed; the message says how.</exception>
    public static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(ReadOnlyMemory<byte> header, long dataLength)
    {
        // System.Text.Json checks the structure, not the bytes inside strings: an invalid name would only fail later,
        // when read, with an exception that is not about the file.
        if (!System.Text.Unicode.Utf8.IsValid(header.Span))
            throw new InvalidDataException("the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the header is not valid UTF-8 JSON ({e.Message})", e);
        }

        using (document)
        {
            try
            {
                return ParseRoot(document.RootElement, dataLength);
            }
            catch (InvalidOperationException e)
            {
                // A string that decodes to no text (a lone surrogate escape such as \ud800), found when it is read.
                throw new InvalidDataException($"the header holds a string that is not valid text ({e.Message})", e);
            }
        }
    }

    private static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) ParseRoot(JsonElement root, long dataLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"the header must be a JSON object, found {root.ValueKind}");

        var entries = new List<SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!names.Add(property.Name))
                throw new InvalidDataException($"the header declares '{property.Name}' twice");
            if (property.Name == MetadataKey)
                ParseMetadata(property.Value, metadata);
            else
                entries.Add(ParseEntry(property.Name, property.Value));
        }
        CheckLayout(entries, dataLength);
        return (entries, metadata);
    }

    private static void ParseMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{MetadataKey}' must be an object of strings, found {value.ValueKind}");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"metadata value '{item.Name}' must be a string, found {item.Value.ValueKind}");
            metadata[item.Name] = item.Value.GetString()!;
        }
    }

    private static SafeTensorsEntry ParseEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"tensor '{name}' must be described by an object, found {value.ValueKind}");

        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"tensor '{name}' has no string 'dtype'");
        string dtype = dtypeElement.GetString()!;
        if (!SafeTensorsDType.TryGetSize(dtype, out int elementSize))
            throw new InvalidDataException($"tensor '{name}' has dtype '{dtype}', which is not supported (supported: {SafeTensorsDType.Supported})");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"tensor '{name}' has no 'shape' array");
        var shape = new int[shapeElement.GetArrayLength()];
        int index = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int extent) || extent < 0)
                throw new InvalidDataException($"tensor '{name}' has shape entry {d.GetRawText()}, which is not an integer in 0..{int.MaxValue}");
            shape[index++] = extent;
        }

        if (!value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw new InvalidDataException($"tensor '{name}' has no 'data_offsets' array of two integers");
        long begin = ReadOffset(name, offsetsElement[0]), end = ReadOffset(name, offsetsElement[1]);

        long elements;
        try
        {
            elements = ShapeUtil.Size(shape); // the extents are non-negative (checked above): only the count can fail
        }
        catch (ArgumentException)
        {
            throw new InvalidDataException($"tensor '{name}' of shape [{string.Join(", ", shape)}] has more than {int.MaxValue} elements");
        }
        if (end < begin)
            throw new InvalidDataException($"tensor '{name}' has data_offsets [{begin}, {end}] that end before they begin");
        if (end - begin != elements * elementSize)
            throw new InvalidDataException($"tensor '{name}' of dtype {dtype} and shape [{string.Join(", ", shape)}] needs {elements * elementSize} bytes but its data_offsets [{begin}, {end}] span {end - begin}");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long offset) || offset < 0)
            throw new InvalidDataException($"tensor '{name}' has data offset {element.GetRawText()}, which is not a non-negative integer");
        return offset;
    }

    /// <summary>Tensors must tile [0, dataLength) exactly, as the format requires: no overlap, no hole, nothing past the end.</summary>
    private static void CheckLayout(List<SafeTensorsEntry> entries, long dataLength)
    {
        var byOffset = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long position = 0;
        string? previous = null;
        foreach (var entry in byOffset)
        {
            if (entry.End > dataLength)
                throw new InvalidDataException($"tensor '{entry.Name}' has data_offsets [{entry.Begin}, {entry.End}] beyond the {dataLength}-byte data buffer (file truncated?)");
            if (entry.Begin < position)
                throw new InvalidDataException($"tensor '{entry.Name}' at data_offsets [{entry.Begin}, {entry.End}] overlaps tensor '{previous}' which ends at {position}");
            if (entry.Begin > position)
                throw new InvalidDataException($"the data buffer has unused bytes [{position}, {entry.Begin}) before tensor '{entry.Name}'");
            position = entry.End;
            previous = entry.Name;
        }
        if (position != dataLength)
            throw new InvalidDataException($"the data buffer has {dataLength} bytes but the tensors cover only {position}");
    }
}
