using System.Globalization;
using RnnGpu.Graphs;
using RnnGpu.IO;
using RnnGpu.Layers;

namespace RnnGpu.Optimizers;

/// <summary>
/// An optimizer's state in a weight file, beside the layers' weights: the update count and learning rate in the
/// metadata, and one tensor per slot of each trainable weight, named <c>optimizer/&lt;weight path&gt;/&lt;slot&gt;</c>.
/// </summary>
internal sealed class OptimizerState
{
    private const string Prefix = "optimizer/";
    private const string NameKey = "optimizer";
    private const string IterationsKey = "optimizer.iterations";
    private const string LearningRateKey = "optimizer.learning_rate";

    private readonly Optimizer _optimizer;
    private readonly long _iterations;
    private readonly double _learningRate;
    private readonly List<(Parameter, Tensor[])> _slots;

    private OptimizerState(Optimizer optimizer, long iterations, double learningRate, List<(Parameter, Tensor[])> slots)
    {
        _optimizer = optimizer;
        _iterations = iterations;
        _learningRate = learningRate;
        _slots = slots;
    }

    /// <summary>
    /// Whether a tensor name in a weight file belongs to the optimizer's state: under <c>optimizer/</c>, and not a weight
    /// of the model (a layer may be named "optimizer").
    /// </summary>
    public static bool Holds(string tensorName, IReadOnlyList<Weight> weights) =>
        tensorName.StartsWith(Prefix, StringComparison.Ordinal) && !weights.Any(w => w.Path == tensorName);

    /// <summary>Adds the optimizer's state to what a weight file will hold.</summary>
    public static void Write(Optimizer optimizer, IReadOnlyList<Weight> weights, List<KeyValuePair<string, Tensor>> tensors, Dictionary<string, string> metadata)
    {
        metadata[NameKey] = optimizer.Name;
        metadata[IterationsKey] = optimizer.Iterations.ToString(CultureInfo.InvariantCulture);
        metadata[LearningRateKey] = optimizer.LearningRate.ToString("R", CultureInfo.InvariantCulture);
        foreach (var w in weights)
        {
            if (optimizer.SlotsOf(w.Parameter) is not { } slots) continue;
            for (int i = 0; i < slots.Length; i++)
                tensors.Add(new($"{Prefix}{w.Path}/{optimizer.SlotNames[i]}", slots[i].ToHost()));
        }
    }

    /// <summary>
    /// Reads and checks the optimizer's state in a weight file without applying it; null when the file holds none.
    /// Every problem is an <see cref="InvalidDataException"/> naming the file, raised before the model changes.
    /// </summary>
    public static OptimizerState? Read(string path, SafeTensorsContent content, Optimizer optimizer, IReadOnlyList<Weight> weights)
    {
        var stateTensors = content.Tensors.Where(kv => Holds(kv.Key, weights)).ToList();
        if (!content.Metadata.TryGetValue(NameKey, out var name))
        {
            if (stateTensors.Count > 0)
                throw new InvalidDataException($"Weight file '{path}' has optimizer tensors ({stateTensors[0].Key}, …) but no '{NameKey}' entry in its metadata.");
            return null;
        }
        if (name != optimizer.Name)
            throw new InvalidDataException($"Weight file '{path}' holds the state of the optimizer '{name}', but the model is compiled with '{optimizer.Name}'. " +
                                           "Compile with the optimizer that saved it, or load with restoreOptimizer: false.");
        long iterations = ParseMetadata(path, content, IterationsKey, s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1, v => v >= 0);
        double learningRate = ParseMetadata(path, content, LearningRateKey, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN, v => v >= 0 && double.IsFinite(v));

        var slotNames = optimizer.SlotNames;
        var slotIndex = slotNames.Select((slot, i) => (slot, i)).ToDictionary(p => p.slot, p => p.i);
        var byPath = weights.ToDictionary(w => w.Path);
        var found = new Dictionary<Weight, Tensor?[]>();
        foreach (var (tensorName, value) in stateTensors)
        {
            int cut = tensorName.LastIndexOf('/');
            string weightPath = tensorName[Prefix.Length..Math.Max(Prefix.Length, cut)], slot = tensorName[(cut + 1)..];
            if (!byPath.TryGetValue(weightPath, out var w))
                throw new InvalidDataException($"Weight file '{path}': optimizer tensor '{tensorName}' is for a weight the model does not have ('{weightPath}').");
            if (!slotIndex.TryGetValue(slot, out int index))
                throw new InvalidDataException($"Weight file '{path}': optimizer tensor '{tensorName}' is a '{slot}' slot, which the optimizer '{optimizer.Name}' here does not keep " +
                                               $"(its slots: {(slotNames.Count == 0 ? "none" : string.Join(", ", slotNames))}).");
            if (!ShapeUtil.Equal(value.Shape, w.Shape))
                throw new InvalidDataException($"Weight file '{path}': optimizer tensor '{tensorName}' has shape {ShapeUtil.Format(value.Shape)}, the weight has {ShapeUtil.Format(w.Shape)}.");
            if (!found.TryGetValue(w, out var slots)) found[w] = slots = new Tensor?[slotNames.Count];
            slots[index] = value;
        }
        var restored = new List<(Parameter, Tensor[])>();
        foreach (var (w, slots) in found)
        {
            int missing = Array.IndexOf(slots, null);
            if (missing >= 0)
                throw new InvalidDataException($"Weight file '{path}' has optimizer state for '{w.Path}' but no '{slotNames[missing]}' slot ('{Prefix}{w.Path}/{slotNames[missing]}').");
            restored.Add((w.Parameter, slots.Select(s => s!).ToArray()));
        }
        return new OptimizerState(optimizer, iterations, learningRate, restored);
    }

    /// <summary>Replaces the optimizer's state with what was read.</summary>
    public void Apply() => _optimizer.Restore(_iterations, _learningRate, _slots);

    private static T ParseMetadata<T>(string path, SafeTensorsContent content, string key, Func<string, T> parse, Func<T, bool> valid)
    {
        if (!content.Metadata.TryGetValue(key, out var text))
            throw new InvalidDataException($"Weight file '{path}' has optimizer state but no '{key}' entry in its metadata.");
        var value = parse(text);
        return valid(value) ? value : throw new InvalidDataException($"Weight file '{path}': metadata '{key}' is '{text}', not a valid value.");
    }
}
