using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// A SIMD register of floats at one fixed width, so that the fused cells and their math are written once and
/// compiled for 512-bit registers where the hardware has them (twice the work per instruction, which is what a
/// transcendental-heavy cell is bound by) and for 256-bit ones elsewhere. (<c>ISimdVector</c>, which would serve,
/// is not public in .NET 10.) Every member is a single instruction or two; the JIT specialises and inlines them.
/// </summary>
internal interface IFloatLanes<TSelf> where TSelf : struct, IFloatLanes<TSelf>
{
    /// <summary>Floats per register.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs in hardware here.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    static abstract TSelf Load(ref float source, nuint offset);
    static abstract void Store(TSelf value, ref float destination, nuint offset);
    static abstract TSelf Splat(float value);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);

    /// <summary>a·b + c, rounded once.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);

    /// <summary>The hardware min/max: when either input is NaN, the second is returned (x86).</summary>
    static abstract TSelf MinNative(TSelf a, TSelf b);

    /// <inheritdoc cref="MinNative"/>
    static abstract TSelf MaxNative(TSelf a, TSelf b);

    static abstract TSelf Abs(TSelf a);

    /// <summary>Lanewise a &lt; b ? ifLess : otherwise.</summary>
    static abstract TSelf SelectLess(TSelf a, TSelf b, TSelf ifLess, TSelf otherwise);

    /// <summary>|magnitude| with the sign bit of <paramref name="sign"/> (magnitude must be non-negative).</summary>
    static abstract TSelf WithSignOf(TSelf magnitude, TSelf sign);

    /// <summary>The float whose exponent field is the int in the low bits of <paramref name="bits"/>, plus 127 (2^n).</summary>
    static abstract TSelf Pow2FromLowBits(TSelf bits);
}

/// <summary>Which register width the fused cells use on this machine.</summary>
internal static class FloatLanes
{
    /// <summary>Floats per register at the width the fused cells use (0 when neither width is accelerated).</summary>
    public static int Width => FloatLanes512.IsHardwareAccelerated ? FloatLanes512.Count : FloatLanes256.IsHardwareAccelerated ? FloatLanes256.Count : 0;

    /// <summary>Whether a fused cell can run on rows of <paramref name="units"/>: SIMD is there and a row fills a register.</summary>
    public static bool Supports(int units) => Width > 0 && units >= Width;

    /// <summary>Copies one register's worth of floats from <paramref name="source"/> to <paramref name="destination"/> + offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy<TV>(ref float source, ref float destination, nuint offset) where TV : struct, IFloatLanes<TV> =>
        TV.Store(TV.Load(ref source, 0), ref destination, offset);
}

/// <summary>256-bit registers (AVX2).</summary>
internal readonly struct FloatLanes256(Vector256<float> v) : IFloatLanes<FloatLanes256>
{
    private readonly Vector256<float> _v = v;

    public static int Count => Vector256<float>.Count;
    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 Load(ref float source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatLanes256 value, ref float destination, nuint offset) => value._v.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 Splat(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 operator +(FloatLanes256 a, FloatLanes256 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 operator -(FloatLanes256 a, FloatLanes256 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 operator -(FloatLanes256 a) => new(-a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 operator *(FloatLanes256 a, FloatLanes256 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 operator /(FloatLanes256 a, FloatLanes256 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 MultiplyAdd(FloatLanes256 a, FloatLanes256 b, FloatLanes256 c) => new(Vector256.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 MinNative(FloatLanes256 a, FloatLanes256 b) => new(Vector256.MinNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 MaxNative(FloatLanes256 a, FloatLanes256 b) => new(Vector256.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes256 Abs(FloatLanes256 a) => new(Vector256.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatLanes256 SelectLess(FloatLanes256 a, FloatLanes256 b, FloatLanes256 ifLess, FloatLanes256 otherwise) =>
        new(Vector256.ConditionalSelect(Vector256.LessThan(a._v, b._v), ifLess._v, otherwise._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatLanes256 WithSignOf(FloatLanes256 magnitude, FloatLanes256 sign) =>
        new((magnitude._v.AsUInt32() | (sign._v.AsUInt32() & Vector256.Create(0x8000_0000u))).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatLanes256 Pow2FromLowBits(FloatLanes256 bits) =>
        new(Vector256.ShiftLeft(bits._v.AsInt32() + Vector256.Create(127), 23).AsSingle());
}

/// <summary>512-bit registers (AVX-512).</summary>
internal readonly struct FloatLanes512(Vector512<float> v) : IFloatLanes<FloatLanes512>
{
    private readonly Vector512<float> _v = v;

    public static int Count => Vector512<float>.Count;
    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 Load(ref float source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(FloatLanes512 value, ref float destination, nuint offset) => value._v.StoreUnsafe(ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 Splat(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 operator +(FloatLanes512 a, FloatLanes512 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 operator -(FloatLanes512 a, FloatLanes512 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 operator -(FloatLanes512 a) => new(-a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 operator *(FloatLanes512 a, FloatLanes512 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 operator /(FloatLanes512 a, FloatLanes512 b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 MultiplyAdd(FloatLanes512 a, FloatLanes512 b, FloatLanes512 c) => new(Vector512.FusedMultiplyAdd(a._v, b._v, c._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 MinNative(FloatLanes512 a, FloatLanes512 b) => new(Vector512.MinNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 MaxNative(FloatLanes512 a, FloatLanes512 b) => new(Vector512.MaxNative(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static FloatLanes512 Abs(FloatLanes512 a) => new(Vector512.Abs(a._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatLanes512 SelectLess(FloatLanes512 a, FloatLanes512 b, FloatLanes512 ifLess, FloatLanes512 otherwise) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(a._v, b._v), ifLess._v, otherwise._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatLanes512 WithSignOf(FloatLanes512 magnitude, FloatLanes512 sign) =>
        new((magnitude._v.AsUInt32() | (sign._v.AsUInt32() & Vector512.Create(0x8000_0000u))).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static FloatLanes512 Pow2FromLowBits(FloatLanes512 bits) =>
        new(Vector512.ShiftLeft(bits._v.AsInt32() + Vector512.Create(127), 23).AsSingle());
}
