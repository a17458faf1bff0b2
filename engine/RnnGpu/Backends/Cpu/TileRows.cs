namespace RnnGpu.Backends.Cpu;

/// <summary>
/// A GEMM micro-kernel's tile height as a type, so that <see cref="CpuGemmKernel{T}"/> is compiled once per height
/// with a constant row count: the JIT removes the code and the registers of the rows a short tile does not have.
/// </summary>
internal interface ITileRows
{
    /// <summary>Rows of C the tile computes.</summary>
    static abstract int Count { get; }
}

internal readonly struct TileRows1 : ITileRows { public static int Count => 1; }

internal readonly struct TileRows2 : ITileRows { public static int Count => 2; }

internal readonly struct TileRows3 : ITileRows { public static int Count => 3; }

internal readonly struct TileRows4 : ITileRows { public static int Count => 4; }

internal readonly struct TileRows5 : ITileRows { public static int Count => 5; }

internal readonly struct TileRows6 : ITileRows { public static int Count => 6; }
