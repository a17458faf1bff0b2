using RnnGpu.Backends;
using RnnGpu.Bench.Configs;
using TorchSharp;
using static TorchSharp.torch;

namespace RnnGpu.Bench.TorchSharpBaseline;

// Inside the namespace so it wins over RnnGpu.Tensor of the enclosing namespace.
using Tensor = TorchSharp.torch.Tensor;

/// <summary>A configuration's layer stack as torch.nn.RNN/LSTM/GRU modules (float32, CPU, batch-first), one module per layer so stacked layers may differ in width.</summary>
public sealed class TorchStack : IDisposable
{
    private readonly nn.Module<Tensor, Tensor>[] _layers;
    private readonly Tensor _input, _outputGrad;

    /// <summary>Builds the modules and the input once.</summary>
    public TorchStack(BenchConfig config, int seed = 1)
    {
        Config = config;
        manual_seed(seed);
        _layers = new nn.Module<Tensor, Tensor>[config.Units.Length];
        for (int l = 0; l < _layers.Length; l++)
            _layers[l] = new Layer(config.Kind, config.InputOf(l), config.Units[l]);
        _input = rand(config.Batch, config.Steps, config.Input, dtype: float32) * 0.2 - 0.1;
        _outputGrad = rand(config.Batch, config.Steps, config.Units[^1], dtype: float32) * 0.2 - 0.1;
    }

    /// <summary>The shape being run.</summary>
    public BenchConfig Config { get; }

    /// <summary>Forward without autograd.</summary>
    public void Inference()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Forward();
    }

    /// <summary>Zero the gradients, forward with autograd, backward from a fixed output gradient (weight gradients, no data gradient).</summary>
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        foreach (var layer in _layers) layer.zero_grad();
        Forward().backward([_outputGrad]);
    }

    private Tensor Forward()
    {
        var x = _input;
        foreach (var layer in _layers) x = layer.forward(x);
        return x;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var layer in _layers) layer.Dispose();
        _input.Dispose();
        _outputGrad.Dispose();
    }

    /// <summary>One recurrent module with zero initial state, returning the whole output sequence.</summary>
    private sealed class Layer : nn.Module<Tensor, Tensor>
    {
        private readonly RecurrentKind _kind;
        private readonly nn.Module _cell;

        public Layer(RecurrentKind kind, int input, int units) : base($"{kind}")
        {
            _kind = kind;
            _cell = kind switch
            {
                RecurrentKind.Lstm => nn.LSTM(input, units, batchFirst: true),
                RecurrentKind.Gru => nn.GRU(input, units, batchFirst: true),
                _ => nn.RNN(input, units, nonLinearity: nn.NonLinearities.Tanh, batchFirst: true),
            };
            register_module("cell", _cell);
        }

        public override Tensor forward(Tensor x) => _kind switch
        {
            RecurrentKind.Lstm => ((TorchSharp.Modules.LSTM)_cell).forward(x).Item1,
            RecurrentKind.Gru => ((TorchSharp.Modules.GRU)_cell).forward(x).Item1,
            _ => ((TorchSharp.Modules.RNN)_cell).forward(x, null).Item1,
        };
    }
}
