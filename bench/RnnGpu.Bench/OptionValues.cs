using System.Globalization;

namespace RnnGpu.Bench;

/// <summary>
/// Reads the numbers of the suite's command lines: a value that is not a number, or out of range, is an
/// <see cref="ArgumentException"/> naming the option, which the entry point prints as one line.
/// </summary>
internal static class OptionValues
{
    /// <summary>A whole number of at least <paramref name="min"/>.</summary>
    public static int Int(string option, string text, int min) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min
            ? value
            : throw new ArgumentException($"{option} must be a whole number >= {min}, not '{text}'.");

    /// <summary>A finite number above zero.</summary>
    public static double Positive(string option, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentException($"{option} must be a number above 0, not '{text}'.");
}
