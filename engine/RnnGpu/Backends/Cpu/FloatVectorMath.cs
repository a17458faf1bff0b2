using System.Runtime.CompilerServices;

namespace RnnGpu.Backends.Cpu;

/// <summary>
/// exp, sigmoid and tanh on SIMD registers of floats (<see cref="IFloatLanes{TSelf}"/>), computed in float alone, for
/// the fused recurrent cells. (<c>Vector256.Exp(float)</c> widens to double, which makes it several times slower.)
/// Within 2 ulp over the range a recurrent cell sees (see <c>FloatVectorMathTests</c>); NaN propagates.
/// </summary>
internal static class FloatVectorMath
{
    // exp(x) = 2^n · e^r with n = round(x / ln 2), r = x − n·ln 2 in [−ln2/2, ln2/2]. ln 2 is split in two
    // (Cody–Waite) so that n·ln2Hi is exact; e^r is its Taylor series to r⁷ (truncation below 1e-8 relative).
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    // Adding 1.5·2^23 rounds x·log₂e to an integer n held in the low mantissa bits: round-to-nearest and the
    // conversion to int in one FMA, without the NaN and saturation fix-ups of a rounding and a converting instruction.
    private const float RoundingShift = 12582912f;

    // Inputs are clamped so that n stays in [−126, 127] and 2^n is a normal float: below −87.3 the result is
    // ~1e-38 instead of a denormal or zero, above 88.3 it is ~2e38 instead of infinity; sigmoid and tanh need no more.
    private const float ExpMin = -87.3f;
    private const float ExpMax = 88.3f;

    // tanh(x) = x + x³·q(x²) for |x| < 0.625 (least-squares fit of our own, 1.3 ulp); above, 1 − 2 / (e^{2|x|} + 1),
    // whose cancellation is mild there.
    private const float TanhSmall = 0.625f;
    private const float Q0 = -0.33333279215f, Q1 = 0.13331381507f, Q2 = -0.05373533005f, Q3 = 0.02062632470f, Q4 = -0.00569201921f;

    /// <summary>e^x, lanewise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV>(TV x) where TV : struct, IFloatLanes<TV>
    {
        // The bound comes first in each call: x86's min/max return their second operand when either is NaN, so a NaN
        // input passes through the clamp and on through the arithmetic.
        x = TV.MinNative(TV.Splat(ExpMax), TV.MaxNative(TV.Splat(ExpMin), x));
        var shifted = TV.MultiplyAdd(x, TV.Splat(Log2E), TV.Splat(RoundingShift));
        var n = shifted - TV.Splat(RoundingShift);
        var r = TV.MultiplyAdd(n, TV.Splat(-Ln2Hi), x);
        r = TV.MultiplyAdd(n, TV.Splat(-Ln2Lo), r);

        var p = TV.Splat(1f / 5040);
        p = TV.MultiplyAdd(p, r, TV.Splat(1f / 720));
        p = TV.MultiplyAdd(p, r, TV.Splat(1f / 120));
        p = TV.MultiplyAdd(p, r, TV.Splat(1f / 24));
        p = TV.MultiplyAdd(p, r, TV.Splat(1f / 6));
        p = TV.MultiplyAdd(p, r, TV.Splat(0.5f));
        p = TV.MultiplyAdd(p, r, TV.Splat(1f));
        p = TV.MultiplyAdd(p, r, TV.Splat(1f));
        return p * TV.Pow2FromLowBits(shifted);
    }

    /// <summary>1 / (1 + e^−x), lanewise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TV>(TV x) where TV : struct, IFloatLanes<TV> => TV.Splat(1f) / (TV.Splat(1f) + Exp(-x));

    /// <summary>tanh x, lanewise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV>(TV x) where TV : struct, IFloatLanes<TV>
    {
        var a = TV.Abs(x);
        var z = a * a;
        var q = TV.MultiplyAdd(TV.Splat(Q4), z, TV.Splat(Q3));
        q = TV.MultiplyAdd(q, z, TV.Splat(Q2));
        q = TV.MultiplyAdd(q, z, TV.Splat(Q1));
        q = TV.MultiplyAdd(q, z, TV.Splat(Q0));
        var small = TV.MultiplyAdd(q * z, a, a);
        var large = TV.Splat(1f) - TV.Splat(2f) / (Exp(a + a) + TV.Splat(1f));
        // A NaN input keeps its NaN through both branches.
        return TV.WithSignOf(TV.SelectLess(a, TV.Splat(TanhSmall), small, large), x);
    }
}
