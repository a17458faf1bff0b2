using System.Text;

namespace RnnGpu;

public partial class Model
{
    /// <summary>Keras <c>summary()</c>: writes the table of layers, output shapes and parameter counts.</summary>
    public void Summary(TextWriter? writer = null) => (writer ?? Output).Write(SummaryText());

    /// <summary>The text <see cref="Summary"/> prints.</summary>
    public string SummaryText()
    {
        const int nameWidth = 29, shapeWidth = 26, paramWidth = 10;
        int width = nameWidth + shapeWidth + paramWidth;
        var sb = new StringBuilder();
        sb.AppendLine($"Model: \"{Name}\"");
        sb.AppendLine(new string('_', width));
        sb.AppendLine($"{" Layer (type)".PadRight(nameWidth)}{"Output Shape".PadRight(shapeWidth)}{"Param #".PadRight(paramWidth)}");
        sb.AppendLine(new string('=', width));
        var layers = Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            int? batch = Inputs[0].BatchSize;
            string shapes = string.Join(", ", layer.OutputShapes.Select(s => ShapeUtil.Format([batch ?? -1, .. s])));
            if (layer.OutputShapes.Length > 1) shapes = $"[{shapes}]";
            sb.AppendLine($"{Column(" " + layer.Name + $" ({layer.TypeName})", nameWidth)}{Column(shapes, shapeWidth)}{layer.ParameterCount}");
            sb.AppendLine(i < layers.Count - 1 ? "" : new string('=', width));
        }
        long total = ParameterCount, trainable = layers.Sum(l => l.TrainableParameterCount);
        sb.AppendLine($"Total params: {total:N0} ({Bytes(total)})");
        sb.AppendLine($"Trainable params: {trainable:N0} ({Bytes(trainable)})");
        sb.AppendLine($"Non-trainable params: {total - trainable:N0} ({Bytes(total - trainable)})");
        sb.AppendLine(new string('_', width));
        return sb.ToString();
    }

    /// <summary>Pads a cell to its column, keeping at least one space before the next column when the text is too long.</summary>
    private static string Column(string text, int width) => text.Length < width ? text.PadRight(width) : text + " ";

    private static string Bytes(long parameters)
    {
        double bytes = parameters * 4.0;
        return bytes switch
        {
            < 1024 => $"{bytes:F2} Byte",
            < 1024 * 1024 => $"{bytes / 1024:F2} KB",
            _ => $"{bytes / 1024 / 1024:F2} MB",
        };
    }
}
