using System.Diagnostics;
using static System.FormattableString;

namespace RnnGpu.Training;

/// <summary>
/// Keras-style per-epoch progress: <c>469/469 [==============================] - 12s 26ms/step - loss: 0.51 - accuracy: 0.81</c>.
/// On a terminal the line is redrawn in place (at most a few times per second); into a file or pipe only the final line is written.
/// </summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly TextWriter _writer;
    private readonly int _total;
    private readonly int _verbose;
    private readonly bool _interactive;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private long _lastDraw = -1000;

    public ProgressBar(TextWriter writer, int total, int verbose)
    {
        _writer = writer;
        _total = total;
        _verbose = verbose;
        _interactive = verbose == 1 && ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
    }

    public void Update(int done, IReadOnlyDictionary<string, double> logs)
    {
        if (!_interactive || (_watch.ElapsedMilliseconds - _lastDraw < 200 && done < _total)) return;
        _lastDraw = _watch.ElapsedMilliseconds;
        _writer.Write("\r" + Line(done, logs));
        _writer.Flush();
    }

    public void Finish(int done, IReadOnlyDictionary<string, double> logs)
    {
        if (_verbose == 0) return;
        string line = _verbose == 1 ? Line(done, logs) : $"{done}/{_total} - {Timing(done)}{Format(logs)}";
        _writer.WriteLine(_interactive ? "\r" + line : line);
    }

    private string Line(int done, IReadOnlyDictionary<string, double> logs)
    {
        int filled = _total == 0 ? Width : Math.Min(Width, done * Width / _total);
        string bar = done >= _total ? new string('=', Width) : new string('=', Math.Max(0, filled - 1)) + ">" + new string('.', Width - Math.Max(1, filled));
        string width = _total.ToString();
        return $"{done.ToString().PadLeft(width.Length)}/{width} [{bar}] - {Timing(done)}{Format(logs)}";
    }

    private string Timing(int done)
    {
        double seconds = _watch.Elapsed.TotalSeconds;
        double perStep = done == 0 ? 0 : seconds / done;
        string step = perStep >= 1 ? Invariant($"{perStep:F0}s/step") : perStep >= 1e-3 ? Invariant($"{perStep * 1000:F0}ms/step") : Invariant($"{perStep * 1e6:F0}us/step");
        return done >= _total ? Invariant($"{seconds:F0}s {step}") : Invariant($"ETA: {perStep * (_total - done):F0}s");
    }

    internal static string Format(IReadOnlyDictionary<string, double> logs) =>
        string.Concat(logs.Select(kv => Invariant($" - {kv.Key}: {kv.Value:F4}")));
}
