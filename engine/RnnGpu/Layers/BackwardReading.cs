using RnnGpu.Graphs;

namespace RnnGpu.Layers;

/// <summary>The input of a recurrent layer that reads its sequences backwards (Keras <c>go_backwards</c>).</summary>
internal static class BackwardReading
{
    /// <summary>
    /// <paramref name="x"/> reversed in time, its mask with it. Truncated BPTT cuts a sequence into chunks read from the
    /// first, which a backward reading cannot follow (its state would have to come from the chunk after), so it is refused.
    /// </summary>
    public static Node Reverse(Layer layer, Graph graph, Node x, LayerContext context) => context.CarryStates
        ? throw new NotSupportedException($"{layer.Title} reads its sequences backwards (goBackwards, or the backward half of a Bidirectional), which " +
                                          "truncated BPTT cannot do: it carries state from each chunk to the next one in time. Train it without truncatedBpttSteps.")
        : graph.ReverseTime(x);
}
