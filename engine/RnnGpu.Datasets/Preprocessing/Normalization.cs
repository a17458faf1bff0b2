namespace RnnGpu.Datasets;

/// <summary>Rescaling of tensor values: min–max to [0, 1], or standardisation to zero mean and unit deviation.</summary>
public static class Normalization
{
    /// <summary>
    /// Returns a copy with values mapped linearly from [min, max] of the data to [0, 1]; a constant
    /// tensor maps to all zeros.
    /// </summary>
    public static Tensor ScaleToUnitRange(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Length == 0)
            return tensor.Clone();
        float min = tensor.Data.Min();
        float max = tensor.Data.Max();
        return ScaleToUnitRange(tensor, min, max);
    }

    /// <summary>
    /// Returns a copy with values mapped by <c>(x − min) / (max − min)</c> for a known range (for
    /// example 0 and 255 for bytes, or the training set's range applied to the test set).
    /// </summary>
    public static Tensor ScaleToUnitRange(Tensor tensor, float min, float max)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        float range = max - min;
        // A zero range would divide by zero; every value equals min then, so 0 is the honest answer.
        float scale = range == 0 ? 0 : 1 / range;
        var data = new float[tensor.Length];
        for (int i = 0; i < data.Length; i++)
            data[i] = (tensor.Data[i] - min) * scale;
        return new Tensor(data, tensor.Shape);
    }

    /// <summary>Mean and population standard deviation of all elements.</summary>
    public static (float Mean, float StdDev) MeanAndStdDev(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Length == 0)
            return (0, 0);
        // Accumulate in double: a float sum over millions of pixels loses digits.
        double sum = 0;
        foreach (float x in tensor.Data)
            sum += x;
        double mean = sum / tensor.Length;
        double squares = 0;
        foreach (float x in tensor.Data)
            squares += (x - mean) * (x - mean);
        return ((float)mean, (float)Math.Sqrt(squares / tensor.Length));
    }

    /// <summary>Returns a copy standardised with its own mean and standard deviation.</summary>
    public static Tensor Standardize(Tensor tensor)
    {
        (float mean, float stdDev) = MeanAndStdDev(tensor);
        return Standardize(tensor, mean, stdDev);
    }

    /// <summary>
    /// Returns a copy with <c>(x − mean) / stdDev</c> (use the training set's statistics for the test
    /// set); a zero deviation only subtracts the mean.
    /// </summary>
    public static Tensor Standardize(Tensor tensor, float mean, float stdDev)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        float scale = stdDev == 0 ? 1 : 1 / stdDev;
        var data = new float[tensor.Length];
        for (int i = 0; i < data.Length; i++)
            data[i] = (tensor.Data[i] - mean) * scale;
        return new Tensor(data, tensor.Shape);
    }
}
