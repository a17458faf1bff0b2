using System.Text;

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
        // Functional models list their inputs first, as Keras does; a Sequential's input is implied by its first layer.
        var rows = new List<(string Name, string Shape, string Params)>();
        if (this is not Sequential)
            rows.AddRange(Inputs.Select(i => ($" {i.Name} (InputLayer)", Shape(i.Shape), "0")));
        foreach (var layer in Layers)
        {
            string shapes = string.Join(", ", layer.OutputShapes.Select(Shape));
            if (layer.OutputShapes.Length > 1) shapes = $"[{shapes}]";
            rows.Add(($" {layer.Name} ({layer.TypeName})", shapes, layer.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // Keras's column widths, widened to the longest entry so that the columns stay aligned.
        int nameWidth = Math.Max(29, rows.Max(r => r.Name.Length) + 2), shapeWidth = Math.Max(26, rows.Max(r => r.Shape.Length) + 2);
        int width = nameWidth + shapeWidth + Math.Max(10, rows.Max(r => r.Params.Length));
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        sb.AppendLine(new string('_', width));
        sb.AppendLine($"{" Layer (type)".PadRight(nameWidth)}{"Output Shape".PadRight(shapeWidth)}Param #");
        sb.AppendLine(new string('=', width));
        for (int i = 0; i < rows.Count; i++)
        {
            sb.AppendLine($"{rows[i].Name.PadRight(nameWidth)}{rows[i].Shape.PadRight(shapeWidth)}{rows[i].Params}");
            sb.AppendLine(i < rows.Count - 1 ? "" : new string('=', width));
        }
        long total = ParameterCount, trainable = TrainableParameterCount;
        sb.AppendLine($"Total params: {total:N0} ({Bytes(total)})");
        sb.AppendLine($"Trainable params: {trainable:N0} ({Bytes(trainable)})");
        sb.AppendLine($"Non-trainable params: {total - trainable:N0} ({Bytes(total - trainable)})");
        sb.AppendLine(new string('_', width));
        return sb.ToString();
    }

    private static string Bytes(long parameters)
    {
        double bytes = parameters * 4.0;
        return bytes switch
        {
            < 1024 => $"{bytes:F2} B",
            < 1024 * 1024 => $"{bytes / 1024:F2} KB",
            _ => $"{bytes / 1024 / 1024:F2} MB",
        };
    }
}
