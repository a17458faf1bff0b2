namespace RnnGpu.IO;

/// <summary>The tensors and metadata of a safetensors file, in file (header) order.</summary>
public sealed class SafeTensorsContent
{
    private readonly Dictionary<string, Tensor> _byName;

    /// <summary>Creates the content from tensors in order and string metadata.</summary>
    /// <exception cref="ArgumentException">Two tensors share a name.</exception>
    public SafeTensorsContent(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(metadata);
        Tensors = tensors;
        Metadata = metadata;
        _byName = new Dictionary<string, Tensor>(tensors.Count, StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
            if (!_byName.TryAdd(name, tensor)) throw new ArgumentException($"Duplicate tensor name '{name}'.", nameof(tensors));
    }

    /// <summary>The tensors with their names, in the order of the file header.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> Tensors { get; }

    /// <summary>The free-form <c>__metadata__</c> string map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public Tensor this[string name] =>
        _byName.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"No tensor named '{name}'.");

    /// <summary>Looks a tensor up by name.</summary>
    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Tensor? tensor) =>
        _byName.TryGetValue(name, out tensor);
}
