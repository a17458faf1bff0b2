namespace RnnGpu.Datasets.Tests;

[TestFixture]
public sealed class PreprocessingTests
{
    private static readonly int[][] Ragged = [[1, 2, 3, 4, 5], [6, 7], []];

    [Test]
    public void Pad_pre_truncate_pre_is_the_keras_default()
    {
        Assert.That(SequencePadding.PadSequences(Ragged, maxlen: 3),
            Is.EqualTo(new[] { new[] { 3, 4, 5 }, new[] { 0, 6, 7 }, new[] { 0, 0, 0 } }));
    }

    [Test]
    public void Pad_post_truncate_pre()
    {
        Assert.That(SequencePadding.PadSequences(Ragged, 3, PaddingSide.Post, PaddingSide.Pre),
            Is.EqualTo(new[] { new[] { 3, 4, 5 }, new[] { 6, 7, 0 }, new[] { 0, 0, 0 } }));
    }

    [Test]
    public void Pad_pre_truncate_post()
    {
        Assert.That(SequencePadding.PadSequences(Ragged, 3, PaddingSide.Pre, PaddingSide.Post),
            Is.EqualTo(new[] { new[] { 1, 2, 3 }, new[] { 0, 6, 7 }, new[] { 0, 0, 0 } }));
    }

    [Test]
    public void Pad_post_truncate_post_with_value()
    {
        Assert.That(SequencePadding.PadSequences(Ragged, 3, PaddingSide.Post, PaddingSide.Post, value: -1),
            Is.EqualTo(new[] { new[] { 1, 2, 3 }, new[] { 6, 7, -1 }, new[] { -1, -1, -1 } }));
    }

    [Test]
    public void Pad_without_maxlen_uses_the_longest_and_converts_to_tensor()
    {
        int[][] rows = SequencePadding.PadSequences(Ragged);
        Tensor tensor = SequencePadding.ToTensor(rows);
        Assert.Multiple(() =>
        {
            Assert.That(rows[1], Is.EqualTo(new[] { 0, 0, 0, 6, 7 }));
            Assert.That(tensor.Shape, Is.EqualTo(new[] { 3, 5 }));
            Assert.That(tensor[1, 4], Is.EqualTo(7f));
            Assert.That(SequencePadding.PadSequences(Ragged, maxlen: 0), Has.All.Empty);
        });
    }

    [Test]
    public void One_hot_labels()
    {
        Tensor encoded = OneHot.Encode([2, 0, 1], 3);
        Assert.Multiple(() =>
        {
            Assert.That(encoded.Shape, Is.EqualTo(new[] { 3, 3 }));
            Assert.That(encoded.Data, Is.EqualTo(new float[] { 0, 0, 1, 1, 0, 0, 0, 1, 0 }));
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([3], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([-1], 3));
    }

    [Test]
    public void One_hot_sequences()
    {
        Tensor encoded = OneHot.EncodeSequences([[0, 2], [1, 1]], 3);
        Assert.Multiple(() =>
        {
            Assert.That(encoded.Shape, Is.EqualTo(new[] { 2, 2, 3 }));
            Assert.That(encoded.Data, Is.EqualTo(new float[] { 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0 }));
        });
        Assert.Throws<ArgumentException>(() => OneHot.EncodeSequences([[0], [1, 1]], 3));
    }

    [Test]
    public void Scale_to_unit_range()
    {
        var tensor = new Tensor([2f, 4f, 6f, 10f], 2, 2);
        Assert.Multiple(() =>
        {
            Assert.That(Normalization.ScaleToUnitRange(tensor).Data, Is.EqualTo(new[] { 0f, 0.25f, 0.5f, 1f }));
            Assert.That(Normalization.ScaleToUnitRange(tensor, 0, 20).Data, Is.EqualTo(new[] { 0.1f, 0.2f, 0.3f, 0.5f }));
            Assert.That(Normalization.ScaleToUnitRange(new Tensor([3f, 3f], 2)).Data, Is.EqualTo(new[] { 0f, 0f }));
            Assert.That(Normalization.ScaleToUnitRange(tensor).Shape, Is.EqualTo(new[] { 2, 2 }));
            Assert.That(tensor.Data[0], Is.EqualTo(2f), "input is not modified");
        });
    }

    [Test]
    public void Standardize_uses_population_statistics()
    {
        var tensor = new Tensor([2f, 4f, 4f, 4f, 5f, 5f, 7f, 9f], 8);
        (float mean, float std) = Normalization.MeanAndStdDev(tensor);
        Tensor standardized = Normalization.Standardize(tensor);
        Assert.Multiple(() =>
        {
            Assert.That(mean, Is.EqualTo(5f));
            Assert.That(std, Is.EqualTo(2f));
            Assert.That(standardized.Data, Is.EqualTo(new[] { -1.5f, -0.5f, -0.5f, -0.5f, 0f, 0f, 1f, 2f }));
            Assert.That(Normalization.Standardize(tensor, 1f, 0f).Data[0], Is.EqualTo(1f), "zero deviation only centres");
        });
    }

    [Test]
    public void Char_windows_with_step()
    {
        WindowedSequences<char> windows = SlidingWindows.CharWindows("abcdefg", length: 3, step: 2);
        Assert.Multiple(() =>
        {
            Assert.That(windows.Windows.Select(w => new string(w)), Is.EqualTo(new[] { "abc", "cde" }));
            Assert.That(windows.NextItems, Is.EqualTo(new[] { 'd', 'f' }));
            Assert.That(windows.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public void Windows_step_one_cover_every_position()
    {
        WindowedSequences<int> windows = SlidingWindows.Build([1, 2, 3, 4], length: 2);
        Assert.Multiple(() =>
        {
            Assert.That(windows.Windows, Is.EqualTo(new[] { new[] { 1, 2 }, new[] { 2, 3 } }));
            Assert.That(windows.NextItems, Is.EqualTo(new[] { 3, 4 }));
            Assert.That(SlidingWindows.Build([1, 2], length: 2).Count, Is.Zero);
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Build([1, 2], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SlidingWindows.Build([1, 2], 1, 0));
    }

    [Test]
    public void Vocabulary_orders_by_frequency_then_first_appearance()
    {
        // Counts: the=3, cat=2, sat=2, on=1, mat=1; cat appears before sat, on before mat.
        string[] words = "the cat sat on the mat the cat sat".Split(' ');
        Vocabulary<string> full = Vocabulary<string>.Build(words, "<unk>");
        Vocabulary<string> top2 = Vocabulary<string>.Build(words, "<unk>", maxTokens: 2);
        Assert.Multiple(() =>
        {
            Assert.That(full.Tokens, Is.EqualTo(new[] { "<unk>", "the", "cat", "sat", "on", "mat" }));
            Assert.That(full.Counts, Is.EqualTo(new[] { 0, 3, 2, 2, 1, 1 }));
            Assert.That(top2.Tokens, Is.EqualTo(new[] { "<unk>", "the", "cat" }));
            Assert.That(top2.Count, Is.EqualTo(3));
            Assert.That(top2.Encode(["cat", "dog", "the", "sat"]), Is.EqualTo(new[] { 2, 0, 1, 0 }));
            Assert.That(top2.Decode([1, 2, 0]), Is.EqualTo(new[] { "the", "cat", "<unk>" }));
            Assert.That(top2.Contains("sat"), Is.False);
            Assert.That(top2.IndexOf("<unk>"), Is.EqualTo(Vocabulary<string>.OovIndex));
        });
    }

    [Test]
    public void Character_vocabulary()
    {
        Vocabulary<char> vocabulary = Vocabulary<char>.Build("abracadabra", '\0');
        Assert.That(new string(vocabulary.Tokens.Skip(1).ToArray()), Is.EqualTo("abrcd"));
    }

    [Test]
    public void Temperature_near_zero_picks_the_argmax()
    {
        var random = new Random(1);
        float[] p = [0.2f, 0.45f, 0.35f];
        Assert.Multiple(() =>
        {
            Assert.That(Enumerable.Range(0, 200).Select(_ => TemperatureSampling.Sample(p, 0, random)), Has.All.EqualTo(1));
            Assert.That(Enumerable.Range(0, 200).Select(_ => TemperatureSampling.Sample(p, 0.01, random)), Has.All.EqualTo(1));
        });
    }

    [Test]
    public void Temperature_one_matches_the_distribution()
    {
        var random = new Random(42);
        float[] p = [0.1f, 0.6f, 0.0f, 0.3f];
        const int draws = 20_000;
        var counts = new int[p.Length];
        for (int i = 0; i < draws; i++)
            counts[TemperatureSampling.Sample(p, 1.0, random)]++;
        Assert.Multiple(() =>
        {
            for (int k = 0; k < p.Length; k++)
                Assert.That(counts[k] / (double)draws, Is.EqualTo(p[k]).Within(0.015), $"index {k}");
            Assert.That(counts[2], Is.Zero, "zero probability is never drawn");
        });
    }

    [Test]
    public void High_temperature_flattens_the_distribution()
    {
        // softmax(log p / 2) is proportional to sqrt(p): weights 1 and 3 for p = 0.1 and 0.9.
        var random = new Random(7);
        float[] p = [0.1f, 0.9f];
        const int draws = 20_000;
        int first = Enumerable.Range(0, draws).Count(_ => TemperatureSampling.Sample(p, 2.0, random) == 0);
        Assert.That(first / (double)draws, Is.EqualTo(0.25).Within(0.015));
    }

    [Test]
    public void Temperature_rejects_bad_input()
    {
        var random = new Random(0);
        Assert.Throws<ArgumentException>(() => TemperatureSampling.Sample([], 1, random));
        Assert.Throws<ArgumentException>(() => TemperatureSampling.Sample([0f, 0f], 1, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => TemperatureSampling.Sample([1f], -1, random));
    }

    [Test]
    public void Temperature_rejects_nan_negative_and_infinite_entries_wherever_they_are()
    {
        var random = new Random(0);
        foreach (float[] p in new[] { new[] { float.NaN, 0.5f, 0.5f }, [0.5f, float.NaN, 0.5f], [0.5f, 0.5f, float.NaN], [0.5f, -0.1f], [float.PositiveInfinity, 1f] })
            Assert.That(() => TemperatureSampling.Sample(p, 1, random), Throws.ArgumentException.With.Message.Contains("each must be finite and >= 0"), string.Join(", ", p));
    }
}
