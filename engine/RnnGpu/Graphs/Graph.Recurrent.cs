using RnnGpu.Backends;

namespace RnnGpu.Graphs;

/// <summary>The three values a fused recurrent op produces.</summary>
/// <param name="Sequence">Hidden state after every step, <c>[B, T, H]</c>.</param>
/// <param name="FinalH">Last hidden state <c>[B, H]</c>.</param>
/// <param name="FinalC">Last cell state <c>[B, H]</c> (LSTM), else null.</param>
public readonly record struct RecurrentOutputs(Node Sequence, Node FinalH, Node? FinalC);

public sealed partial class Graph
{
    /// <summary>
    /// A whole SimpleRNN / LSTM / GRU layer over all timesteps as one op: the backend runs it as one input
    /// projection GEMM plus, per step, one recurrent GEMM and one fused pointwise kernel; backward mirrors it.
    /// </summary>
    /// <param name="spec">Cell kind and options.</param>
    /// <param name="input">Sequence <c>[B, T, I]</c>; its <see cref="Node.Mask"/>, if any, masks padded steps.</param>
    /// <param name="initialH">Initial hidden state <c>[B, H]</c>.</param>
    /// <param name="initialC">Initial cell state (LSTM only).</param>
    /// <param name="kernel">Kernel <c>[I, G·H]</c>.</param>
    /// <param name="recurrentKernel">Recurrent kernel <c>[H, G·H]</c>.</param>
    /// <param name="bias">Bias.</param>
    public RecurrentOutputs Recurrent(RecurrentSpec spec, Node input, Node initialH, Node? initialC, Node kernel, Node recurrentKernel, Node bias)
    {
        int b = input.Shape[0], steps = input.Shape[1], h = spec.Units;
        var args = new RecurrentForwardArgs
        {
            Input = input.Value,
            Mask = input.Mask,
            InitialH = initialH.Value,
            InitialC = initialC?.Value,
            Kernel = kernel.Value,
            RecurrentKernel = recurrentKernel.Value,
            Bias = bias.Value,
            Output = NewTensor([b, steps, h]),
            FinalH = NewTensor([b, h]),
            FinalC = spec.HasCellState ? NewTensor([b, h]) : null,
        };
        Node[] inputs = initialC is null ? [input, initialH, kernel, recurrentKernel, bias] : [input, initialH, initialC, kernel, recurrentKernel, bias];
        bool requiresGrad = Training && Array.Exists(inputs, n => n.RequiresGrad);
        var tape = Backend.RecurrentForward(spec, args, keepForBackward: requiresGrad);
        if (tape is not null) Own(tape);

        // The op's three outputs; the backward closure sits on the first so it runs after both others got their gradients.
        var sequence = new Node(this, args.Output, requiresGrad, spec.Kind.ToString()) { Inputs = inputs, Mask = input.Mask };
        var finalH = new Node(this, args.FinalH, requiresGrad, "final_h") { Inputs = [sequence] };
        var finalC = args.FinalC is null ? null : new Node(this, args.FinalC, requiresGrad, "final_c") { Inputs = [sequence] };
        if (requiresGrad)
        {
            sequence.Siblings = finalC is null ? [finalH] : [finalH, finalC];
            sequence.Backward = () => Backend.RecurrentBackward(spec, new RecurrentBackwardArgs
            {
                Forward = args,
                Tape = tape!,
                OutputGrad = sequence.Grad,
                FinalHGrad = finalH.Grad,
                FinalCGrad = finalC?.Grad,
                InputGrad = input.RequiresGrad ? GradOf(input) : null,
                InitialHGrad = initialH.RequiresGrad ? GradOf(initialH) : null,
                InitialCGrad = initialC is { RequiresGrad: true } ? GradOf(initialC) : null,
                KernelGrad = GradOrScratch(kernel),
                RecurrentKernelGrad = GradOrScratch(recurrentKernel),
                BiasGrad = GradOrScratch(bias),
            });
        }
        _nodes.Add(sequence);
        _nodes.Add(finalH);
        if (finalC is not null) _nodes.Add(finalC);
        return new RecurrentOutputs(sequence, finalH, finalC);
    }

    /// <summary>A frozen weight still needs somewhere to put its (discarded) gradient.</summary>
    private DeviceTensor GradOrScratch(Node node) => node.RequiresGrad ? GradOf(node) : NewTensor(node.Shape);
}
