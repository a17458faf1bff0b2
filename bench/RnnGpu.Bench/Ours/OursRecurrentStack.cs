using RnnGpu.Backends;
using RnnGpu.Bench.Configs;

namespace RnnGpu.Bench.Ours;

/// <summary>
/// A configuration's layer stack on one of our backends, built straight on <see cref="IBackend"/> (no graph, no
/// optimizer) so the benchmark times exactly the fused recurrent calls.
/// </summary>
public sealed class OursRecurrentStack : IDisposable
{
    private readonly IBackend _backend;
    private readonly RecurrentSpec[] _specs;
    private readonly RecurrentForwardArgs[] _forward;
    private readonly DeviceTensor[] _kernelGrads, _recurrentGrads, _biasGrads;
    private readonly DeviceTensor[] _outputGrads; // _outputGrads[l]: gradient w.r.t. layer l's output
    private readonly List<DeviceTensor> _owned = [];

    /// <summary>Allocates weights (uniform ±0.1, fixed seed), inputs and every buffer once.</summary>
    public OursRecurrentStack(IBackend backend, BenchConfig config, int seed = 1)
    {
        _backend = backend;
        Config = config;
        var random = new Random(seed);
        int layers = config.Units.Length, b = config.Batch, t = config.Steps;
        _specs = new RecurrentSpec[layers];
        _forward = new RecurrentForwardArgs[layers];
        _kernelGrads = new DeviceTensor[layers];
        _recurrentGrads = new DeviceTensor[layers];
        _biasGrads = new DeviceTensor[layers];
        _outputGrads = new DeviceTensor[layers];

        DeviceTensor input = Random(random, b, t, config.Input);
        for (int l = 0; l < layers; l++)
        {
            int h = config.Units[l], i = config.InputOf(l);
            var spec = new RecurrentSpec(config.Kind, h);
            int gh = spec.Gates * h;
            int[] biasShape = spec.Kind == RecurrentKind.Gru && spec.ResetAfter ? [2, gh] : [gh];
            bool lstm = spec.HasCellState;
            _specs[l] = spec;
            _forward[l] = new RecurrentForwardArgs
            {
                Input = input,
                InitialH = Own(backend.Allocate(b, h)),
                InitialC = lstm ? Own(backend.Allocate(b, h)) : null,
                Kernel = Random(random, i, gh),
                RecurrentKernel = Random(random, h, gh),
                Bias = Random(random, biasShape),
                Output = Own(backend.Allocate(b, t, h)),
                FinalH = Own(backend.Allocate(b, h)),
                FinalC = lstm ? Own(backend.Allocate(b, h)) : null,
            };
            _kernelGrads[l] = Own(backend.Allocate(i, gh));
            _recurrentGrads[l] = Own(backend.Allocate(h, gh));
            _biasGrads[l] = Own(backend.Allocate(biasShape));
            // The top layer's output gradient stands for the loss; the others are filled by the layer above.
            _outputGrads[l] = l == layers - 1 ? Random(random, b, t, h) : Own(backend.Allocate(b, t, h));
            input = _forward[l].Output;
        }
        backend.Synchronize();
    }

    /// <summary>The shape being run.</summary>
    public BenchConfig Config { get; }

    /// <summary>Inference: one fused forward per layer, nothing kept; waits for the device at the end.</summary>
    public void Inference()
    {
        for (int l = 0; l < _specs.Length; l++)
            _backend.RecurrentForward(_specs[l], _forward[l], keepForBackward: false);
        _backend.Synchronize();
    }

    /// <summary>
    /// One training step without the optimizer: zero the gradients, forward keeping the tapes, then backward through
    /// the stack (weight gradients of every layer, input gradients between layers, none for the data).
    /// </summary>
    public void TrainingStep()
    {
        int layers = _specs.Length;
        var tapes = new RecurrentTape[layers];
        try
        {
            for (int l = 0; l < layers; l++)
            {
                _backend.Fill(_kernelGrads[l], 0);
                _backend.Fill(_recurrentGrads[l], 0);
                _backend.Fill(_biasGrads[l], 0);
                if (l < layers - 1) _backend.Fill(_outputGrads[l], 0);
            }
            for (int l = 0; l < layers; l++)
                tapes[l] = _backend.RecurrentForward(_specs[l], _forward[l], keepForBackward: true)
                           ?? throw new InvalidOperationException("RecurrentForward kept no tape although asked to.");
            for (int l = layers - 1; l >= 0; l--)
            {
                _backend.RecurrentBackward(_specs[l], new RecurrentBackwardArgs
                {
                    Forward = _forward[l],
                    Tape = tapes[l],
                    OutputGrad = _outputGrads[l],
                    InputGrad = l > 0 ? _outputGrads[l - 1] : null,
                    KernelGrad = _kernelGrads[l],
                    RecurrentKernelGrad = _recurrentGrads[l],
                    BiasGrad = _biasGrads[l],
                });
            }
            _backend.Synchronize();
        }
        finally
        {
            // Last allocated, first freed: the pool then hands every layer the same blocks on the next call.
            for (int l = layers - 1; l >= 0; l--) tapes[l]?.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
    }

    private DeviceTensor Own(DeviceTensor t)
    {
        _owned.Add(t);
        return t;
    }

    private DeviceTensor Random(Random random, params int[] shape)
    {
        var data = new float[shape.Aggregate(1, (a, d) => a * d)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 0.2 - 0.1);
        return Own(_backend.Upload(data, shape));
    }
}
