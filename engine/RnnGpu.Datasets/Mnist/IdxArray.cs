namespace RnnGpu.Datasets;

/// <summary>The content of an unsigned-byte IDX file: its dimensions and its bytes in row-major order.</summary>
/// <param name="Dimensions">Extent of each dimension, outermost first.</param>
/// <param name="Data">The values, row-major.</param>
public sealed record IdxArray(int[] Dimensions, byte[] Data);
