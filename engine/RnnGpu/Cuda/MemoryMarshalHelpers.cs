using System.Runtime.InteropServices;

namespace RnnGpu.Cuda;

/// <summary>Byte views of spans of blittable elements, for staging copies.</summary>
internal static class MemoryMarshalHelpers
{
    public static ReadOnlySpan<byte> AsBytes<TElement>(ReadOnlySpan<TElement> span) where TElement : unmanaged => MemoryMarshal.AsBytes(span);

    public static Span<byte> AsBytes<TElement>(Span<TElement> span) where TElement : unmanaged => MemoryMarshal.AsBytes(span);
}
