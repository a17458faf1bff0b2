namespace RnnGpu.Cuda;

/// <summary>
/// The parameters of one kernel launch, each in an 8-byte slot of caller-provided (stackalloc'd) storage; no boxing,
/// no object[]. cuLaunchKernel reads each parameter's size from the kernel, and little-endian slots make a 4-byte
/// int or float the low half of its slot.
/// </summary>
internal ref struct KernelArguments
{
    private readonly Span<ulong> _slots;
    private int _count;

    /// <param name="slots">Storage for the parameters, e.g. <c>stackalloc ulong[24]</c>.</param>
    public KernelArguments(Span<ulong> slots) => _slots = slots;

    /// <summary>Arguments whose every slot is already filled (a recorded launch being replayed).</summary>
    public static KernelArguments Filled(Span<ulong> slots) => new(slots) { _count = slots.Length };

    /// <summary>The filled slots.</summary>
    public readonly Span<ulong> Slots => _slots[.._count];

    /// <summary>A device pointer (0 for a null pointer).</summary>
    public void Pointer(ulong devicePointer) => _slots[_count++] = devicePointer;

    /// <summary>A 32-bit int.</summary>
    public void Int(int value) => _slots[_count++] = (uint)value;

    /// <summary>A 64-bit long long.</summary>
    public void Long(long value) => _slots[_count++] = (ulong)value;

    /// <summary>A 32-bit float.</summary>
    public void Float(float value) => _slots[_count++] = BitConverter.SingleToUInt32Bits(value);
}
