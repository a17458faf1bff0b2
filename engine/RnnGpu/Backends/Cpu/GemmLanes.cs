using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// A SIMD register of <typeparamref name="T"/> (float or double) at one fixed width, so that the GEMM micro-kernel is
/// written once and compiled for 512-bit registers where the hardware runs them natively and for 256-bit ones
/// elsewhere. (<c>ISimdVector</c>, which would serve, is not public in .NET 10; <see cref="IFloatLanes{TSelf}"/> is the
/// float-only twin the fused cells use.) Every member is one instruction; the JIT specialises and inlines them.
/// </summary>
internal unsafe interface IGemmLanes<TSelf, T>
    where TSelf : struct, IGemmLanes<TSelf, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per register.</summary>
    static abstract int Count { get; }

    static abstract TSelf Load(T* source);
    static abstract void Store(TSelf value, T* destination);
    static abstract TSelf Splat(T value);
    static abstract TSelf operator +(TSelf a, TSelf b);

    /// <summary>a·b + c, fused where the CPU has FMA (one rounding, twice the throughput of a multiply and an add).</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
}

/// <summary>256-bit registers (AVX2).</summary>
internal readonly unsafe struct GemmLanes256<T>(Vector256<T> v) : IGemmLanes<GemmLanes256<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector256<T> _v = v;

    public static int Count => Vector256<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static GemmLanes256<T> Load(T* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(GemmLanes256<T> value, T* destination) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static GemmLanes256<T> Splat(T value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static GemmLanes256<T> operator +(GemmLanes256<T> a, GemmLanes256<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GemmLanes256<T> MultiplyAdd(GemmLanes256<T> a, GemmLanes256<T> b, GemmLanes256<T> c) => new(MultiplyAdd(a._v, b._v, c._v));

    /// <summary>a·b + c on raw registers: fused with FMA, else a multiply and an add (never the slow exact emulation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Fma.MultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Fma.MultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }
}

/// <summary>512-bit registers (AVX-512, which always has FMA).</summary>
internal readonly unsafe struct GemmLanes512<T>(Vector512<T> v) : IGemmLanes<GemmLanes512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Vector512<T> _v = v;

    public static int Count => Vector512<T>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static GemmLanes512<T> Load(T* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(GemmLanes512<T> value, T* destination) => value._v.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static GemmLanes512<T> Splat(T value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static GemmLanes512<T> operator +(GemmLanes512<T> a, GemmLanes512<T> b) => new(a._v + b._v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static GemmLanes512<T> MultiplyAdd(GemmLanes512<T> a, GemmLanes512<T> b, GemmLanes512<T> c) => new(MultiplyAdd(a._v, b._v, c._v));

    /// <summary>a·b + c on raw registers, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Avx512F.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Avx512F.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        }
        return a * b + c;
    }
}
