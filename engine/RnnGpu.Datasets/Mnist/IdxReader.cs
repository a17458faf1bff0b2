using System.Buffers.Binary;
using System.IO.Compression;

namespace RnnGpu.Datasets;

/// <summary>
/// Reads IDX files (the MNIST format): two zero bytes, a type byte (only 0x08, unsigned byte, is
/// supported), a dimension count, big-endian 32-bit extents, then the data. Gzipped files are
/// recognised by their magic bytes and decompressed transparently.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX file from disk, gzipped or not.</summary>
    /// <exception cref="InvalidDataException">The header is malformed or the data is truncated.</exception>
    public static IdxArray Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                bytes = plain.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: not a valid gzip file ({e.Message})", e);
            }
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of an uncompressed IDX file.</summary>
    /// <exception cref="InvalidDataException">The header is malformed or the data is truncated.</exception>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string sourceName = "IDX data")
    {
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{sourceName}: not an IDX file (bad magic).");
        if (bytes[2] != UnsignedByteType)
            throw new InvalidDataException($"{sourceName}: IDX element type 0x{bytes[2]:x2} is not supported (only unsigned byte, 0x08).");
        int rank = bytes[3];
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new InvalidDataException($"{sourceName}: truncated IDX header.");

        var dimensions = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            dimensions[d] = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 + 4 * d, 4));
            if (dimensions[d] < 0)
                throw new InvalidDataException($"{sourceName}: negative IDX dimension.");
        }
        // The product of up to 255 extents overflows a long (2^16 four times wraps to 0).
        var count = dimensions.Aggregate(System.Numerics.BigInteger.One, (product, extent) => product * extent);
        if (bytes.Length - headerLength != count)
            throw new InvalidDataException($"{sourceName}: IDX header promises {count:#,0} values ({string.Join(" × ", dimensions)}) but {bytes.Length - headerLength} bytes follow.");
        return new IdxArray(dimensions, bytes[headerLength..].ToArray());
    }
}
