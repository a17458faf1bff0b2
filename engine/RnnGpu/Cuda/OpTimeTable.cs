namespace RnnGpu.Cuda;

/// <summary>One row of an <see cref="OpTimeTable"/>: an operation, how often it ran and its summed GPU time.</summary>
/// <param name="Name">A kernel's name, or "gemm M×N×K" with the transpositions for a cuBLAS product.</param>
/// <param name="Count">Times it ran in the profiled region.</param>
/// <param name="TotalMilliseconds">Its GPU time summed over those runs.</param>
public readonly record struct OpTimeRow(string Name, int Count, double TotalMilliseconds);

/// <summary>
/// GPU time per operation, summed by name over a profiled region (<see cref="CudaBackend.StartOpProfile"/>). What it
/// does not hold is the point: the region's elapsed time minus <see cref="TotalMilliseconds"/> is time the GPU sat
/// idle between operations (launch and host overhead) or spent in copies and memsets, which are not timed.
/// </summary>
public sealed class OpTimeTable
{
    private readonly Dictionary<string, (int Count, double Milliseconds)> _rows = [];

    /// <summary>Adds one run of <paramref name="name"/> that took <paramref name="milliseconds"/> on the GPU.</summary>
    public void Add(string name, double milliseconds)
    {
        _rows.TryGetValue(name, out var row);
        _rows[name] = (row.Count + 1, row.Milliseconds + milliseconds);
    }

    /// <summary>The operations, longest total first.</summary>
    public IReadOnlyList<OpTimeRow> Rows =>
        [.. _rows.Select(r => new OpTimeRow(r.Key, r.Value.Count, r.Value.Milliseconds)).OrderByDescending(r => r.TotalMilliseconds).ThenBy(r => r.Name, StringComparer.Ordinal)];

    /// <summary>GPU time of every timed operation together.</summary>
    public double TotalMilliseconds => _rows.Values.Sum(r => r.Milliseconds);

    /// <summary>Summed GPU time of the operations whose name starts with <paramref name="prefix"/> (e.g. "gemm").</summary>
    public double MillisecondsOf(string prefix) =>
        _rows.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => r.Value.Milliseconds);
}
