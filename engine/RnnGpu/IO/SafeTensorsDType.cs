using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RnnGpu.IO;

/// <summary>
/// The safetensors element types this engine reads: F32 as is, and F64, F16 and BF16 converted to float so that
/// checkpoints saved in other precisions load without a separate conversion step.
/// </summary>
internal static class SafeTensorsDType
{
    /// <summary>The dtype name this engine writes.</summary>
    public const string Float32 = "F32";

    /// <summary>The dtype names <see cref="TryGetSize"/> accepts, for error messages.</summary>
    public const string Supported = "F32, F64, F16, BF16";

    /// <summary>Bytes per element of a supported dtype; false for any other name.</summary>
    public static bool TryGetSize(string dtype, out int size)
    {
        size = dtype switch { "F32" => 4, "F64" => 8, "F16" => 2, "BF16" => 2, _ => 0 };
        return size != 0;
    }

    /// <summary>Decodes little-endian elements of <paramref name="dtype"/> into floats.</summary>
    public static void Decode(string dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        switch (dtype)
        {
            case "F32":
                if (BitConverter.IsLittleEndian)
                    MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                else
                    for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case "F64":
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < destination.Length; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                break;
            case "BF16":
                // bfloat16 is the top half of a float32.
                for (int i = 0; i < destination.Length; i++)
                    destination[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
            default:
                throw new ArgumentException($"Unsupported dtype '{dtype}'.", nameof(dtype));
        }
    }
}
