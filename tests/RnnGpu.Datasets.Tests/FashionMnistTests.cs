using System.Text;

namespace RnnGpu.Datasets.Tests;

[TestFixture]
public sealed class FashionMnistTests
{
    private const int Pixels = FashionMnistJsonReader.PixelsPerImage;

    /// <summary>A class file: each image is filled with one value; a value of -1 writes an empty row.</summary>
    private static string ClassJson(params int[] fills)
    {
        var json = new StringBuilder("{\"data\":[");
        for (int i = 0; i < fills.Length; i++)
        {
            if (i > 0)
                json.Append(',');
            json.Append('[');
            if (fills[i] >= 0)
                json.AppendJoin(',', Enumerable.Repeat(fills[i], Pixels));
            json.Append(']');
        }
        return json.Append("]}").ToString();
    }

    [Test]
    public void Class_file_is_parsed_and_empty_rows_are_dropped()
    {
        List<byte[]> images = FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(ClassJson(3, -1, 255)));
        Assert.Multiple(() =>
        {
            Assert.That(images, Has.Count.EqualTo(2));
            Assert.That(images[0], Has.Length.EqualTo(Pixels).And.All.EqualTo((byte)3));
            Assert.That(images[1], Has.All.EqualTo((byte)255));
        });
    }

    [Test]
    public void Extra_properties_are_skipped()
    {
        string json = "{\"meta\":{\"a\":[1,2]}," + ClassJson(1)[1..];
        Assert.That(FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(json)), Has.Count.EqualTo(1));
    }

    [TestCase("{\"data\":[[1,2,3]]}")]
    [TestCase("{\"data\":[[\"x\"]]}")]
    [TestCase("{\"other\":[]}")]
    [TestCase("[1,2]")]
    [TestCase("{\"data\":[[1,2")]
    public void Malformed_class_files_are_rejected(string json) =>
        Assert.Throws<InvalidDataException>(() => FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(json)));

    [Test]
    public void Out_of_range_pixel_is_rejected()
    {
        string json = ClassJson(1).Replace("[1,", "[256,");
        Assert.Throws<InvalidDataException>(() => FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Test]
    public void Split_sends_every_seventh_image_per_class_to_test_and_interleaves_classes()
    {
        // Class c, position p is filled with value 10 * c + p, so every image is identifiable.
        var perClass = Enumerable.Range(0, 10)
            .Select(c => (IReadOnlyList<byte[]>)Enumerable.Range(0, 14).Select(p => Enumerable.Repeat((byte)(10 * c + p), Pixels).ToArray()).ToList())
            .ToList();

        ImageClassificationDataset data = FashionMnist.Split(perClass);

        int Value(LabeledImages set, int n) => (int)Math.Round(set.Images.Data[n * Pixels] * 255);
        Assert.Multiple(() =>
        {
            Assert.That(data.Train.Images.Shape, Is.EqualTo(new[] { 120, 28, 28 }));
            Assert.That(data.Test.Images.Shape, Is.EqualTo(new[] { 20, 28, 28 }));
            Assert.That(data.Test.Labels, Is.EqualTo(Enumerable.Range(0, 20).Select(i => i % 10)));
            // Test: positions 6 then 13 of each class, interleaved.
            Assert.That(Value(data.Test, 0), Is.EqualTo(6));
            Assert.That(Value(data.Test, 3), Is.EqualTo(36));
            Assert.That(Value(data.Test, 13), Is.EqualTo(43));
            // Train: positions 0..5, 7..12 of each class, interleaved.
            Assert.That(data.Train.Labels.Take(12), Is.EqualTo(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1 }));
            Assert.That(Value(data.Train, 0), Is.EqualTo(0));
            Assert.That(Value(data.Train, 11), Is.EqualTo(11));
            Assert.That(Value(data.Train, 60), Is.EqualTo(7));
            Assert.That(data.Train.Images.Data.Max(), Is.LessThanOrEqualTo(1f));
        });
    }

    [Test]
    public void Package_folder_loads_all_ten_class_files()
    {
        using var temp = new TempFolder();
        for (int c = 0; c < 10; c++)
            temp.Write($"src/clothes/{c}.json", ClassJson(Enumerable.Range(0, 7).Select(p => c + p).Append(-1).ToArray()));

        ImageClassificationDataset data = FashionMnist.LoadFromPackageDirectory(temp.Path);

        Assert.Multiple(() =>
        {
            Assert.That(data.Train.Count, Is.EqualTo(60));
            Assert.That(data.Test.Count, Is.EqualTo(10));
            Assert.That(data.Test.Labels, Is.EqualTo(Enumerable.Range(0, 10)));
            Assert.That(data.Test.Images[9, 27, 27], Is.EqualTo(15 / 255f).Within(1e-6f));
            Assert.That(data.ClassNames[9], Is.EqualTo("Ankle boot"));
        });
    }

    [Test]
    public void Errors_count_rows_as_the_file_has_them_and_refuse_what_follows_or_repeats()
    {
        string emptyThenShort = "{\"data\":[[],[1]]}";
        Assert.That(() => FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(emptyThenShort), "3.json"),
            Throws.TypeOf<InvalidDataException>().With.Message.EqualTo($"3.json: row 1 has 1 pixels, expected {Pixels}."));
        Assert.That(() => FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(ClassJson(1) + " x")),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("malformed JSON"));
        string twice = ClassJson(1)[..^1] + ",\"data\":[]}";
        Assert.That(() => FashionMnistJsonReader.Parse(Encoding.UTF8.GetBytes(twice)),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("more than one 'data' property"));
    }

    [Test]
    public void A_broken_class_file_fails_the_load_with_its_own_error_not_an_aggregate()
    {
        using var temp = new TempFolder();
        for (int c = 0; c < 10; c++)
            if (c != 3) temp.Write($"src/clothes/{c}.json", ClassJson(1));
        Assert.That(() => FashionMnist.LoadFromPackageDirectory(temp.Path), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("3.json"));
        temp.Write("src/clothes/3.json", "{\"data\":[[1]]}");
        Assert.That(() => FashionMnist.LoadFromPackageDirectory(temp.Path), Throws.TypeOf<InvalidDataException>().With.Message.Contains("3.json: row 0 has 1 pixels"));
    }
}
