using System.CommandLine;

namespace RnnGpu.Examples.Shared;

/// <summary>The options every subcommand shares (<c>--device --epochs --batch-size --seed --out --limit</c>), with per-example defaults.</summary>
internal sealed class CommonOptions
{
    private readonly Option<string> _device = new("--device")
    {
        Description = "Where to run: auto (GPU when usable, else CPU), cpu, gpu[:N], or gpu-tf32 (float32 GEMMs on TF32 tensor cores).",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<int> _epochs;
    private readonly Option<int> _batchSize;
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of initialisation, shuffling and sampling.", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _out;
    private readonly Option<int?> _limit = new("--limit") { Description = "Train on the first N samples only (evaluation sets are cut to N too): a quick run." };

    /// <summary>The fixed batch size of an example without --batch-size, else null.</summary>
    private readonly int? _fixedBatchSize;

    private CommonOptions(int epochs, int batchSize, string outDir, string epochsDescription, bool hasBatchSize)
    {
        _fixedBatchSize = hasBatchSize ? null : batchSize;
        _epochs = new Option<int>("--epochs") { Description = epochsDescription, DefaultValueFactory = _ => epochs };
        _batchSize = new Option<int>("--batch-size") { Description = "Samples per weight update.", DefaultValueFactory = _ => batchSize };
        _out = new Option<string>("--out") { Description = "Folder for the PNG plots.", DefaultValueFactory = _ => outDir };
    }

    /// <summary>Adds the shared options to <paramref name="command"/> with this example's defaults; the output folder defaults to <c>out/&lt;command&gt;</c>.</summary>
    /// <param name="command">The subcommand.</param>
    /// <param name="epochs">Default of --epochs.</param>
    /// <param name="batchSize">Default of --batch-size, or the fixed batch size of an example that offers no such option.</param>
    /// <param name="epochsDescription">Help text of --epochs.</param>
    /// <param name="batchSizeOption">False for an example whose batch size is fixed (one sequence, say): no --batch-size.</param>
    public static CommonOptions AddTo(Command command, int epochs, int batchSize, string epochsDescription = "Passes over the training data.", bool batchSizeOption = true)
    {
        var options = new CommonOptions(epochs, batchSize, Path.Combine("out", command.Name), epochsDescription, batchSizeOption);
        command.Options.Add(options._device);
        command.Options.Add(options._epochs);
        if (batchSizeOption) command.Options.Add(options._batchSize);
        command.Options.Add(options._seed);
        command.Options.Add(options._out);
        command.Options.Add(options._limit);
        AtLeast(options._epochs, 0);
        AtLeast(options._batchSize, 1);
        Require(options._limit, v => v is not < 1, "must be >= 1");
        Require(options._out, v => !string.IsNullOrWhiteSpace(v), "must name a folder");
        options._device.Validators.Add(r =>
        {
            try { Device.Parse(r.GetValueOrDefault<string>() ?? "auto"); }
            catch (ArgumentException e) { r.AddError(UserMessage(e)); }
        });
        return options;
    }

    /// <summary>Rejects values below <paramref name="minimum"/> with a message naming the option.</summary>
    public static void AtLeast(Option<int> option, int minimum) => Require(option, v => v >= minimum, $"must be >= {minimum}");

    /// <summary>
    /// Rejects values for which <paramref name="valid"/> is false with "OPTION REQUIREMENT, got VALUE.". A value that is
    /// not even of the option's type is left to the parser's own error (reading it would throw).
    /// </summary>
    public static void Require<T>(Option<T> option, Func<T, bool> valid, string requirement) =>
        option.Validators.Add(r =>
        {
            T value;
            try { value = r.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; }
            if (!valid(value)) r.AddError($"{option.Name} {requirement}, got {(value is string text ? $"'{text}'" : value)}.");
        });

    /// <summary>
    /// An error's message for the user: an argument error's ends in " (Parameter 'name')", the name of a method's
    /// parameter, which says nothing to someone typing options.
    /// </summary>
    public static string UserMessage(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;

    /// <summary>The output folder, created before any work starts, so that a bad --out fails at once rather than after training.</summary>
    private static string CreatedFolder(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--out {path}: the folder cannot be created: {e.Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>The parsed values.</summary>
    public ExampleOptions Bind(ParseResult result) => new()
    {
        Device = Device.Parse(result.GetValue(_device) ?? "auto"),
        Epochs = result.GetValue(_epochs),
        BatchSize = _fixedBatchSize ?? result.GetValue(_batchSize),
        Seed = result.GetValue(_seed),
        OutDir = CreatedFolder(result.GetValue(_out) ?? "out"),
        Limit = result.GetValue(_limit),
    };
}
