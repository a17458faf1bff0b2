namespace RnnGpu.Layers;

/// <summary>
/// The shapes a recurrent layer (fused or <see cref="Rnn"/>) checks and produces per call: a sequence
/// <c>[steps, features]</c> with optional initial states <c>[units]</c> in, the output and optionally the final states out.
/// </summary>
internal static class RecurrentShapes
{
    /// <summary>Checks the initial states of a call: none, or exactly <paramref name="stateCount"/> of <c>[units]</c> (Keras's "initial_state … not compatible with cell.state_size").</summary>
    public static void CheckInitialStates(string title, int[][] inputShapes, int stateCount, int units)
    {
        if (inputShapes.Length != 1 && inputShapes.Length != 1 + stateCount)
            throw new ArgumentException($"{title} takes a sequence and optionally {stateCount} initial state(s){(stateCount == 2 ? " (h and c)" : "")}, " +
                                        $"got {inputShapes.Length - 1} initial state(s).");
        for (int i = 1; i < inputShapes.Length; i++)
            if (!ShapeUtil.Equal(inputShapes[i], [units]))
                throw new ArgumentException($"{title} initial state {i - 1} must be {ShapeUtil.Format([units])}, got {ShapeUtil.Format(inputShapes[i])}.");
    }

    /// <summary>Checks a call after the first (a shared layer): the features the weights were built for, any number of steps, fitting initial states.</summary>
    public static void CheckLaterCall(string title, int[][] inputShapes, int features, int stateCount, int units)
    {
        var x = inputShapes[0];
        if (x.Length != 2 || (x[1] >= 0 && x[1] != features))
            throw new ArgumentException($"{title} expects input [steps, {features}], got {ShapeUtil.Format(x)}.");
        CheckInitialStates(title, inputShapes, stateCount, units);
    }

    /// <summary>The output shapes for a sequence of <paramref name="steps"/> steps (-1 = unknown).</summary>
    public static int[][] Outputs(int steps, int units, bool returnSequences, bool returnState, int stateCount)
    {
        int[] output = returnSequences ? [steps, units] : [units];
        return returnState ? [output, .. Enumerable.Repeat<int[]>([units], stateCount)] : [output];
    }
}
