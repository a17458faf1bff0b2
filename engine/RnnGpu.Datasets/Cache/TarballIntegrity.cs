using System.Security.Cryptography;

namespace RnnGpu.Datasets;

/// <summary>Computes and checks npm's <c>sha512-&lt;base64&gt;</c> integrity strings.</summary>
public static class TarballIntegrity
{
    private const string Prefix = "sha512-";

    /// <summary>Returns the <c>sha512-&lt;base64&gt;</c> integrity string of a file.</summary>
    public static string Compute(string path)
    {
        using var stream = File.OpenRead(path);
        return Prefix + Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>True when the file's SHA-512 equals the one in <paramref name="expected"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="expected"/> is not a sha512 integrity string.</exception>
    public static bool Matches(string path, string expected)
    {
        if (!expected.StartsWith(Prefix, StringComparison.Ordinal))
            throw new ArgumentException($"Only sha512 integrity strings are supported, got '{expected}'.", nameof(expected));
        byte[] want = Convert.FromBase64String(expected[Prefix.Length..]);
        using var stream = File.OpenRead(path);
        // Fixed-time comparison is not needed here, but it is the idiomatic equality for hashes.
        return CryptographicOperations.FixedTimeEquals(SHA512.HashData(stream), want);
    }
}
