using RnnGpu.Backends;
using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>
/// The final states a recurrent layer keeps for its next pass: across batches for a stateful layer, across the chunks
/// of one batch under truncated BPTT. One set per call of the layer in its model (<see cref="LayerContext.CallIndex"/>),
/// since a layer called twice (weights tied across two places) runs two different sequences; models that share a layer
/// and call it once each share its states, as Keras's layers do. Device buffers, so carrying costs a copy, not a transfer.
/// </summary>
internal sealed class CarriedStates
{
    private readonly Dictionary<int, DeviceTensor[]> _byCall = [];
    private readonly Dictionary<int, bool[]> _unstarted = [];

    /// <summary>
    /// The rows of a call that have had no real (unmasked) step since the call began, for the next truncated-BPTT chunk
    /// of the same batch; null when every row has had one.
    /// </summary>
    public bool[]? UnstartedRows(int call) => _unstarted.GetValueOrDefault(call);

    /// <summary>Records the rows still without a real step (null: none).</summary>
    public void KeepUnstartedRows(int call, bool[]? rows)
    {
        if (rows is null) _unstarted.Remove(call);
        else _unstarted[call] = rows;
    }

    /// <summary>The batch size of the states held for a call, or null when none are held.</summary>
    public int? BatchSize(int call) => _byCall.TryGetValue(call, out var held) ? held[0].Shape[0] : null;

    /// <summary>Whether states are held for a call.</summary>
    public bool Any(int call) => _byCall.ContainsKey(call);

    /// <summary>
    /// State <paramref name="index"/> of a call as the start of this pass: a snapshot, because <see cref="Keep"/>
    /// overwrites the held buffer with this pass's final state while backward still reads the initial one.
    /// </summary>
    public Node Start(Graph graph, int call, int index)
    {
        var held = _byCall[call][index];
        var start = graph.NewTensor(held.Shape);
        graph.Backend.Copy(held, start);
        return graph.Constant(start);
    }

    /// <summary>Holds the final states of this pass of a call for its next pass.</summary>
    public void Keep(Graph graph, int call, IReadOnlyList<Node> finals)
    {
        if (!_byCall.TryGetValue(call, out var held))
            _byCall[call] = held = [.. finals.Select(f => graph.Backend.Allocate(f.Shape))];
        for (int i = 0; i < finals.Count; i++) graph.Backend.Copy(finals[i].Value, held[i]);
    }

    /// <summary>Host copies of the states held for the layer's first call, or null when none are held.</summary>
    public Tensor[]? ToHost() => _byCall.GetValueOrDefault(0)?.Select(t => t.ToHost()).ToArray();

    /// <summary>Drops every held state (the next pass starts from zeros).</summary>
    public void Clear()
    {
        foreach (var held in _byCall.Values) foreach (var t in held) t.Dispose();
        _byCall.Clear();
        _unstarted.Clear();
    }

    /// <summary>Drops the states held for one call.</summary>
    public void Clear(int call)
    {
        _unstarted.Remove(call);
        if (!_byCall.Remove(call, out var held)) return;
        foreach (var t in held) t.Dispose();
    }
}
