namespace RnnGpu;

/// <summary>Element types a backend tensor can hold.</summary>
public enum DType
{
    /// <summary>IEEE 754 binary32: the training and inference type on every backend.</summary>
    Float32,
    /// <summary>IEEE 754 binary64: CPU only, for gradient checks against finite differences.</summary>
    Float64,
    /// <summary>32-bit signed integers: token indices and sparse labels.</summary>
    Int32,
}
