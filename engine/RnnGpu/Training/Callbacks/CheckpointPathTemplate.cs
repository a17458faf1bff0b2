using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RnnGpu.Training;

/// <summary>
/// A <see cref="ModelCheckpoint"/> file path with Python-style fields, as Keras formats it: <c>{epoch}</c>,
/// <c>{epoch:02d}</c>, <c>{batch}</c>, and any log entry such as <c>{val_loss:.4f}</c> or <c>{loss:.2e}</c>; <c>{{</c> and
/// <c>}}</c> stand for braces. The fields are checked when the template is made; their names when it is filled.
/// </summary>
internal sealed partial class CheckpointPathTemplate
{
    private readonly string _template;
    private readonly List<object> _parts = []; // literal strings and fields, in order

    private sealed record Field(string Name, string Spec, char Kind, int Width, bool ZeroPad, int Precision);

    public CheckpointPathTemplate(string template)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(template, "filepath");
        _template = template;
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c) { literal.Append(c); i++; continue; }
            if (c == '}') throw Error("has a '}' without its '{' (write '}}' for a brace)");
            if (c != '{') { literal.Append(c); continue; }
            int close = template.IndexOf('}', i + 1);
            if (close < 0) throw Error("has a '{' without its '}' (write '{{' for a brace)");
            if (literal.Length > 0) { _parts.Add(literal.ToString()); literal.Clear(); }
            _parts.Add(ParseField(template[(i + 1)..close]));
            i = close;
        }
        if (literal.Length > 0) _parts.Add(literal.ToString());
    }

    /// <summary>Whether the path has any field, so that successive saves may go to different files.</summary>
    public bool HasFields => _parts.Any(p => p is Field);

    /// <summary>The path for an epoch (1-based, as Keras prints it), a batch (1-based) when saving within an epoch, and the logs.</summary>
    public string Format(int epoch, int? batch, IReadOnlyDictionary<string, double> logs)
    {
        var path = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string text) { path.Append(text); continue; }
            var field = (Field)part;
            if (field.Name == "epoch") path.Append(FormatInteger(field, epoch));
            else if (field.Name == "batch" && batch is int b) path.Append(FormatInteger(field, b));
            else if (logs.TryGetValue(field.Name, out var value)) path.Append(FormatNumber(field, value));
            else
            {
                var known = new[] { "epoch" }.Concat(batch is null ? [] : ["batch"]).Concat(logs.Keys);
                throw new InvalidOperationException($"ModelCheckpoint: the file path '{_template}' names '{{{field.Name}}}', which is not among this save's values: {string.Join(", ", known)}.");
            }
        }
        return path.ToString();
    }

    private Field ParseField(string body)
    {
        int colon = body.IndexOf(':');
        string name = colon < 0 ? body : body[..colon], spec = colon < 0 ? "" : body[(colon + 1)..];
        if (name.Length == 0) throw Error("has an empty field '{}' (name a value: {epoch}, {val_loss:.4f})");
        if (spec.Length == 0) return new Field(name, spec, ' ', 0, false, -1);
        var m = SpecPattern().Match(spec);
        if (!m.Success)
            throw Error($"has the format '{spec}' in '{{{body}}}', which is not one of [0][width]d, [0][width].<digits>f or [0][width].<digits>e");
        int width = m.Groups["width"].Success ? int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture) : 0;
        int precision = m.Groups["precision"].Success ? int.Parse(m.Groups["precision"].Value, CultureInfo.InvariantCulture) : -1;
        char kind = m.Groups["kind"].Value[0];
        if (kind == 'd' && precision >= 0) throw Error($"has the format '{spec}' in '{{{body}}}': an integer has no precision");
        return new Field(name, spec, kind, width, m.Groups["zero"].Success, precision);
    }

    private string FormatInteger(Field field, int value) =>
        field.Kind is 'f' or 'e' ? FormatNumber(field, value) : Pad(field, value.ToString(CultureInfo.InvariantCulture));

    private string FormatNumber(Field field, double value)
    {
        if (field.Kind == 'd')
        {
            if (value != Math.Floor(value) || !double.IsFinite(value))
                throw new InvalidOperationException($"ModelCheckpoint: the file path '{_template}' formats '{field.Name}' as an integer ('{field.Spec}'), but its value is {value.ToString("R", CultureInfo.InvariantCulture)}.");
            return Pad(field, ((long)value).ToString(CultureInfo.InvariantCulture));
        }
        int precision = field.Precision < 0 ? 6 : field.Precision;
        string text = !double.IsFinite(value) ? (double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf")
            : field.Kind switch
            {
                'f' => value.ToString("F" + precision, CultureInfo.InvariantCulture),
                'e' => PythonExponent(value.ToString("e" + precision, CultureInfo.InvariantCulture)),
                _ => PythonRepr(value),
            };
        return Pad(field, text);
    }

    /// <summary>.NET's <c>1.23e+004</c> as Python writes it, <c>1.23e+04</c> (at least two exponent digits).</summary>
    private static string PythonExponent(string text)
    {
        int e = text.IndexOf('e');
        string digits = text[(e + 2)..].TrimStart('0');
        return $"{text[..(e + 2)]}{digits.PadLeft(2, '0')}";
    }

    /// <summary>
    /// Python's <c>str(float)</c>: the shortest digits that read back as the value, positional with at least one
    /// decimal (<c>1.0</c>, <c>0.0001</c>) from 1e-4 up to 1e16, and <c>1e-05</c>, <c>1.5e+16</c> outside.
    /// </summary>
    internal static string PythonRepr(double value)
    {
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // .NET's "R" has the same shortest round-trip digits, written as 1.2345E+16 or 0.00042; take the digits and
        // the power of ten of the first one, and lay them out Python's way.
        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        int exponent;
        string digits;
        if (r.IndexOf('E') is int e and >= 0)
        {
            exponent = int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
            digits = r[..e].Replace(".", "");
        }
        else
        {
            int dot = r.IndexOf('.') is int d and >= 0 ? d : r.Length;
            string whole = r[..dot], fraction = dot < r.Length ? r[(dot + 1)..] : "";
            exponent = whole != "0" ? whole.Length - 1 : -(fraction.Length - fraction.TrimStart('0').Length + 1);
            digits = (whole + fraction).TrimStart('0');
        }
        digits = digits.TrimEnd('0');
        int point = exponent + 1; // the value is 0.<digits> × 10^point
        string text;
        if (point is > -4 and <= 16)
            text = point <= 0 ? "0." + new string('0', -point) + digits
                : point < digits.Length ? $"{digits[..point]}.{digits[point..]}"
                : digits + new string('0', point - digits.Length) + ".0";
        else
            text = $"{digits[0]}{(digits.Length > 1 ? "." + digits[1..] : "")}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        return value < 0 ? "-" + text : text;
    }

    private static string Pad(Field field, string text)
    {
        if (text.Length >= field.Width) return text;
        if (!field.ZeroPad) return text.PadLeft(field.Width);
        bool negative = text.StartsWith('-');
        return negative ? "-" + text[1..].PadLeft(field.Width - 1, '0') : text.PadLeft(field.Width, '0');
    }

    private ArgumentException Error(string problem) => new($"ModelCheckpoint: the file path '{_template}' {problem}.", "filepath");

    [GeneratedRegex(@"^(?<zero>0)?(?<width>[1-9][0-9]*)?(\.(?<precision>[0-9]+))?(?<kind>[dfe])$")]
    private static partial Regex SpecPattern();
}
