namespace RnnGpu.Training;

/// <summary>What <c>Fit</c> returns: per-epoch values of the loss and metrics (Keras <c>History.history</c>).</summary>
public sealed class History
{
    private readonly Dictionary<string, List<double>> _values = new();

    /// <summary>Series by name: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>.</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>Epochs recorded.</summary>
    public int Epochs => _values.Count == 0 ? 0 : _values.Values.Max(v => v.Count);

    /// <summary>One series; a name never logged is an error listing the logged ones (Keras's <c>history.history</c> is a dict).</summary>
    public IReadOnlyList<double> this[string name] => _values.TryGetValue(name, out var v)
        ? v
        : throw new KeyNotFoundException($"History has no '{name}'; it logged: {(_values.Count == 0 ? "nothing (no epoch ran)" : string.Join(", ", _values.Keys))}.");

    /// <summary>Whether a series was logged (e.g. <c>val_loss</c> only with validation data).</summary>
    public bool Contains(string name) => _values.ContainsKey(name);

    internal void Add(IReadOnlyDictionary<string, double> logs)
    {
        foreach (var (k, v) in logs)
        {
            if (!_values.TryGetValue(k, out var list)) _values[k] = list = [];
            list.Add(v);
        }
    }
}
