using System.Text;
using static System.FormattableString;

namespace RnnGpu;

public partial class Model
{
    /// <summary>Keras <c>summary()</c>: writes the table of layers, output shapes and parameter counts.</summary>
    public void Summary(TextWriter? writer = null) => (writer ?? Output).Write(SummaryText());

    /// <summary>The text <see cref="Summary"/> prints.</summary>
    /// <exception cref="InvalidOperationException">The model is not built yet (no input shape).</exception>
    public string SummaryText()
    {
        if (!IsBuilt)
            throw new InvalidOperationException($"Model '{Name}' is not built yet, so it has no layer shapes to show: give the first layer an inputShape, or fit or predict once, before Summary().");
        int? batch = Inputs[0].BatchSize;
        string Shape(int[] s) => ShapeUtil.Format([batch ?? -1, .. s]);
        string Shapes(IReadOnlyList<SymbolicTensor> outputs) =>
            outputs.Count == 1 ? Shape(outputs[0].Shape) : $"[{string.Join(", ", outputs.Select(o => Shape(o.Shape)))}]";
        bool connections = !IsSequentialLike();
        // Functional models list their inputs first, as Keras does; a Sequential's input is implied by its first layer.
        var rows = new List<(string Name, string Shape, string Params, string[] Connected)>();
        if (this is not Sequential)
            rows.AddRange(Inputs.Select(i => ($" {i.Name} (InputLayer)", Shape(i.Shape), "0", new[] { "-" })));
        foreach (var layer in Layers)
        {
            var calls = _calls.Where(c => c.Layer == layer).ToList();
            // A shared layer is listed once; Keras writes "multiple" when its calls give different shapes.
            var shapes = calls.Select(c => Shapes(c.Outputs)).Distinct().ToList();
            string[] connected = [.. calls.SelectMany(c => c.Inputs).Select(InboundName)];
            rows.Add(($" {layer.Name} ({layer.TypeName})", shapes.Count == 1 ? shapes[0] : "multiple",
                layer.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture), connected));
        }

        // Keras's column widths, widened to the longest entry so that the columns stay aligned.
        int nameWidth = Math.Max(29, rows.Max(r => r.Name.Length) + 2), shapeWidth = Math.Max(26, rows.Max(r => r.Shape.Length) + 2);
        int paramsWidth = Math.Max(10, rows.Max(r => r.Params.Length) + 2);
        int width = nameWidth + shapeWidth + (connections ? paramsWidth + Math.Max(16, rows.Max(r => r.Connected.Max(c => c.Length))) : Math.Max(10, rows.Max(r => r.Params.Length)));
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        sb.AppendLine(new string('_', width));
        sb.AppendLine($"{" Layer (type)".PadRight(nameWidth)}{"Output Shape".PadRight(shapeWidth)}" + (connections ? $"{"Param #".PadRight(paramsWidth)}Connected to" : "Param #"));
        sb.AppendLine(new string('=', width));
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            string line = $"{row.Name.PadRight(nameWidth)}{row.Shape.PadRight(shapeWidth)}{row.Params}";
            if (connections) line = $"{row.Name.PadRight(nameWidth)}{row.Shape.PadRight(shapeWidth)}{row.Params.PadRight(paramsWidth)}{row.Connected[0]}";
            sb.AppendLine(line.TrimEnd());
            if (connections)
                foreach (string more in row.Connected.Skip(1)) sb.AppendLine($"{new string(' ', nameWidth + shapeWidth + paramsWidth)}{more}");
            sb.AppendLine(i < rows.Count - 1 ? "" : new string('=', width));
        }
        long total = ParameterCount, trainable = TrainableParameterCount;
        sb.AppendLine(Invariant($"Total params: {total:N0} ({Bytes(total)})"));
        sb.AppendLine(Invariant($"Trainable params: {trainable:N0} ({Bytes(trainable)})"));
        sb.AppendLine(Invariant($"Non-trainable params: {total - trainable:N0} ({Bytes(total - trainable)})"));
        sb.AppendLine(new string('_', width));
        return sb.ToString();
    }

    /// <summary>
    /// Keras's test for the short table: one input and one output, and every layer called once on the output of the
    /// layer before it. Other graphs get the "Connected to" column.
    /// </summary>
    private bool IsSequentialLike()
    {
        if (this is Sequential) return true;
        if (_inputs.Length != 1 || _outputs.Length != 1 || _calls.Select(c => c.Layer).Distinct().Count() != _calls.Count) return false;
        for (int i = 0; i < _calls.Count; i++)
        {
            var inputs = _calls[i].Inputs;
            if (inputs.Length != 1) return false;
            if (!ReferenceEquals(inputs[0], i == 0 ? _inputs[0] : _calls[i - 1].Outputs[0])) return false;
        }
        return ReferenceEquals(_outputs[0], _calls[^1].Outputs[0]);
    }

    /// <summary>Keras's name of a tensor a layer reads: <c>producer[call][output]</c>, e.g. <c>lstm[0][1]</c> for the h of lstm's first call.</summary>
    private string InboundName(SymbolicTensor tensor)
    {
        if (tensor.Producer is not { } producer) return $"{((Input)tensor).Name}[0][0]";
        return $"{producer.Layer.Name}[{_callIndices[_calls.IndexOf(producer)]}][{tensor.OutputIndex}]";
    }

    private static string Bytes(long parameters)
    {
        double bytes = parameters * 4.0;
        return bytes switch
        {
            < 1024 => Invariant($"{bytes:F2} B"),
            < 1024 * 1024 => Invariant($"{bytes / 1024:F2} KB"),
            _ => Invariant($"{bytes / 1024 / 1024:F2} MB"),
        };
    }
}
