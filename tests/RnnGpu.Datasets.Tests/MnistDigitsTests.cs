namespace RnnGpu.Datasets.Tests;

[TestFixture]
public sealed class MnistDigitsTests
{
    [Test]
    public void Idx_header_and_data_are_parsed()
    {
        IdxArray array = IdxReader.Parse(IdxFiles.Build([2, 3], [1, 2, 3, 4, 5, 6]));
        Assert.Multiple(() =>
        {
            Assert.That(array.Dimensions, Is.EqualTo(new[] { 2, 3 }));
            Assert.That(array.Data, Is.EqualTo(new byte[] { 1, 2, 3, 4, 5, 6 }));
        });
    }

    [Test]
    public void Idx_large_dimension_is_big_endian()
    {
        IdxArray array = IdxReader.Parse(IdxFiles.Build([300], new byte[300]));
        Assert.That(array.Dimensions, Is.EqualTo(new[] { 300 }));
    }

    [Test]
    public void Gzipped_idx_is_read_transparently()
    {
        using var temp = new TempFolder();
        string path = temp.Write("labels.gz", IdxFiles.Gzip(IdxFiles.Build([3], [7, 8, 9])));
        Assert.That(IdxReader.Read(path).Data, Is.EqualTo(new byte[] { 7, 8, 9 }));
    }

    [Test]
    public void Malformed_idx_is_rejected()
    {
        byte[] good = IdxFiles.Build([2, 2], [1, 2, 3, 4]);
        byte[] badMagic = (byte[])good.Clone();
        badMagic[0] = 1;
        byte[] floatType = (byte[])good.Clone();
        floatType[2] = 0x0D;
        Assert.Multiple(() =>
        {
            Assert.Throws<InvalidDataException>(() => IdxReader.Parse(badMagic));
            Assert.Throws<InvalidDataException>(() => IdxReader.Parse(floatType));
            Assert.Throws<InvalidDataException>(() => IdxReader.Parse(good.AsSpan(0, good.Length - 1)));
            Assert.Throws<InvalidDataException>(() => IdxReader.Parse(good.AsSpan(0, 6)));
        });
    }

    [Test]
    public void Package_folder_loads_as_scaled_images_and_labels()
    {
        using var temp = new TempFolder();
        // Two 2x2 training images and one test image; one file gzipped to cover both forms.
        temp.Write("data/train-images-idx3-ubyte", IdxFiles.Build([2, 2, 2], [0, 255, 51, 102, 255, 0, 0, 0]));
        temp.Write("data/train-labels-idx1-ubyte", IdxFiles.Build([2], [5, 0]));
        temp.Write("data/t10k-images-idx3-ubyte.gz", IdxFiles.Gzip(IdxFiles.Build([1, 2, 2], [0, 0, 0, 255])));
        temp.Write("data/t10k-labels-idx1-ubyte", IdxFiles.Build([1], [7]));

        ImageClassificationDataset data = MnistDigits.LoadFromPackageDirectory(temp.Path);

        Assert.Multiple(() =>
        {
            Assert.That(data.Train.Images.Shape, Is.EqualTo(new[] { 2, 2, 2 }));
            Assert.That(data.Train.Images.Data, Is.EqualTo(new[] { 0f, 1f, 0.2f, 0.4f, 1f, 0f, 0f, 0f }).Within(1e-6f));
            Assert.That(data.Train.Labels, Is.EqualTo(new[] { 5, 0 }));
            Assert.That(data.Test.Images.Shape, Is.EqualTo(new[] { 1, 2, 2 }));
            Assert.That(data.Test.Labels, Is.EqualTo(new[] { 7 }));
            Assert.That(data.ClassNames, Has.Count.EqualTo(10));
        });
    }

    [Test]
    public void Label_count_must_match_image_count()
    {
        using var temp = new TempFolder();
        string images = temp.Write("i", IdxFiles.Build([2, 1, 1], [1, 2]));
        string labels = temp.Write("l", IdxFiles.Build([3], [1, 2, 3]));
        Assert.Throws<InvalidDataException>(() => MnistDigits.LoadPair(images, labels));
    }

    [Test]
    public void A_label_that_is_not_a_digit_is_an_error_naming_the_file()
    {
        using var temp = new TempFolder();
        string images = temp.Write("i", IdxFiles.Build([3, 1, 1], [1, 2, 3]));
        string labels = temp.Write("l", IdxFiles.Build([3], [0, 9, 200]));
        Assert.That(() => MnistDigits.LoadPair(images, labels),
            Throws.TypeOf<InvalidDataException>().With.Message.EqualTo($"{labels}: label 2 is 200; MNIST labels are the digits 0 to 9."));
    }

    [Test]
    public void Extents_whose_product_overflows_do_not_pass_for_an_empty_array()
    {
        // 2^16 four times is 2^64, which wraps to 0 in a long.
        Assert.That(() => IdxReader.Parse(IdxFiles.Build([65536, 65536, 65536, 65536], [])),
            Throws.TypeOf<InvalidDataException>().With.Message.Contains("promises 18,446,744,073,709,551,616 values (65536 × 65536 × 65536 × 65536) but 0 bytes follow"));
    }

    [Test]
    public void A_corrupt_gzip_file_is_an_error_naming_it()
    {
        using var temp = new TempFolder();
        byte[] gzip = IdxFiles.Gzip(IdxFiles.Build([3], [7, 8, 9]));
        gzip[3] = 0xFF; // reserved flag bits
        string path = temp.Write("labels.gz", gzip);
        Assert.That(() => IdxReader.Read(path), Throws.TypeOf<InvalidDataException>().With.Message.StartsWith($"{path}: not a valid gzip file"));
    }
}
