using System.Text;

namespace RnnGpu.Datasets.Tests;

[TestFixture]
public sealed class ReutersNewswiresTests
{
    private static ReutersArticle Article(string id, string body, params string[] topics) => new(id, "", body, topics);

    [Test]
    public void Tokenizer_lowercases_and_splits_on_non_alphanumerics()
    {
        Assert.That(ReutersTokenizer.Tokenize("U.S. said 1,750 dlrs -- Reuter\n\u0003"),
            Is.EqualTo(new[] { "u", "s", "said", "1", "750", "dlrs", "reuter" }));
        Assert.That(ReutersTokenizer.Tokenize("  ...  "), Is.Empty);
    }

    [Test]
    public void Json_articles_are_read_with_missing_fields_as_empty()
    {
        const string json = """
            [
              {"title":"T1","body":"B one","date":"26-FEB-1987","topics":["cocoa","grain"],"places":["usa"],"id":"1"},
              {"date":"26-FEB-1987","id":"2"}
            ]
            """;
        List<ReutersArticle> articles = ReutersJsonReader.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Multiple(() =>
        {
            Assert.That(articles, Has.Count.EqualTo(2));
            Assert.That(articles[0], Is.EqualTo(articles[0] with { Id = "1", Title = "T1", Body = "B one" }));
            Assert.That(articles[0].Topics, Is.EqualTo(new[] { "cocoa", "grain" }));
            Assert.That(articles[1].Title, Is.Empty);
            Assert.That(articles[1].Topics, Is.Empty);
        });
        Assert.Throws<InvalidDataException>(() => ReutersJsonReader.Parse(Encoding.UTF8.GetBytes("{\"a\":1}")));
        Assert.Throws<InvalidDataException>(() => ReutersJsonReader.Parse(Encoding.UTF8.GetBytes("[1,")));
    }

    /// <summary>
    /// Word counts over kept articles: a=4, b=2, c=2, d=1 (the b/c tie resolved by ordinal order);
    /// first topics y=2, x=1. The topicless article and the one without tokens are dropped.
    /// </summary>
    private static ReutersArticle[] Corpus() =>
    [
        Article("1", "a b a", "y", "x"),
        Article("2", "c a", "x"),
        Article("3", "a c b d", "y"),
        Article("4", "z z z z z"),
        Article("5", "...", "x"),
    ];

    [Test]
    public void Word_index_and_topics_are_ranked_by_frequency_with_ordinal_ties()
    {
        ReutersDataset data = ReutersNewswires.Build(Corpus(), new ReutersOptions { TestSplit = 0 });
        Assert.Multiple(() =>
        {
            Assert.That(data.WordIndex, Is.EquivalentTo(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2, ["c"] = 3, ["d"] = 4 }));
            Assert.That(data.TopicNames, Is.EqualTo(new[] { "y", "x" }));
            Assert.That(data.TrainSequences, Has.Length.EqualTo(3));
            Assert.That(data.TestSequences, Is.Empty);
        });
    }

    [Test]
    public void Sequences_get_start_marker_and_index_offset()
    {
        ReutersDataset data = ReutersNewswires.Build(Corpus(), new ReutersOptions { TestSplit = 0 });
        // Shuffled, so look each article up by its label and length.
        var byContent = data.TrainSequences.Zip(data.TrainLabels).ToDictionary(p => string.Join(",", p.First), p => p.Second);
        Assert.That(byContent, Is.EquivalentTo(new Dictionary<string, int>
        {
            ["1,4,5,4"] = 0,    // a b a, first topic y
            ["1,6,4"] = 1,      // c a, topic x
            ["1,4,6,5,7"] = 0,  // a c b d, topic y
        }));
    }

    [Test]
    public void NumWords_and_SkipTop_map_to_oov_or_drop()
    {
        var options = new ReutersOptions { TestSplit = 0, NumWords = 6, SkipTop = 5 };
        ReutersDataset withOov = ReutersNewswires.Build(Corpus(), options);
        ReutersDataset dropped = ReutersNewswires.Build(Corpus(), options with { OovChar = null });
        // Only index 5 (word b) survives [5, 6); the start marker 1 is below SkipTop as in Keras.
        Assert.Multiple(() =>
        {
            Assert.That(withOov.TrainSequences.Select(s => string.Join(",", s)),
                Is.EquivalentTo(new[] { "2,2,5,2", "2,2,2", "2,2,2,5,2" }));
            Assert.That(dropped.TrainSequences.Select(s => string.Join(",", s)),
                Is.EquivalentTo(new[] { "5", "", "5" }));
        });
    }

    [Test]
    public void Maxlen_drops_sequences_that_are_not_shorter()
    {
        ReutersDataset data = ReutersNewswires.Build(Corpus(), new ReutersOptions { TestSplit = 0, Maxlen = 4 });
        // Lengths with start marker are 4, 3 and 5: only the 3-long one is strictly below 4.
        Assert.That(data.TrainSequences.Select(s => s.Length), Is.EqualTo(new[] { 3 }));
    }

    [Test]
    public void No_start_char_and_custom_index_from()
    {
        ReutersDataset data = ReutersNewswires.Build(Corpus(), new ReutersOptions { TestSplit = 0, StartChar = null, IndexFrom = 0 });
        Assert.That(data.TrainSequences.Select(s => string.Join(",", s)), Is.EquivalentTo(new[] { "1,2,1", "3,1", "1,3,2,4" }));
    }

    [Test]
    public void Split_follows_test_fraction_and_seed_is_deterministic()
    {
        var articles = Enumerable.Range(0, 100).Select(i => Article(i.ToString(), $"w{i} common", i % 3 == 0 ? "t0" : "t1")).ToArray();
        ReutersDataset first = ReutersNewswires.Build(articles);
        ReutersDataset again = ReutersNewswires.Build(articles);
        ReutersDataset otherSeed = ReutersNewswires.Build(articles, new ReutersOptions { Seed = 7 });
        Assert.Multiple(() =>
        {
            Assert.That(first.TrainSequences, Has.Length.EqualTo(80));
            Assert.That(first.TestSequences, Has.Length.EqualTo(20));
            Assert.That(first.TrainSequences, Is.EqualTo(again.TrainSequences));
            Assert.That(first.TrainLabels, Is.EqualTo(again.TrainLabels));
            Assert.That(otherSeed.TrainSequences, Is.Not.EqualTo(first.TrainSequences));
            Assert.That(first.TrainLabels.Concat(first.TestLabels).Count(l => l == first.TopicNames.ToList().IndexOf("t0")), Is.EqualTo(34));
        });
    }

    [Test]
    public void Only_the_46_most_frequent_first_topics_are_kept()
    {
        // Topic k appears k + 1 times, so topics 0..3 are the four least frequent of 50.
        var articles = Enumerable.Range(0, 50)
            .SelectMany(k => Enumerable.Range(0, k + 1).Select(i => Article($"{k}-{i}", "word", $"topic{k:D2}")))
            .ToArray();
        ReutersDataset data = ReutersNewswires.Build(articles);
        Assert.Multiple(() =>
        {
            Assert.That(data.TopicNames, Has.Count.EqualTo(ReutersNewswires.TopicCount));
            Assert.That(data.TopicNames[0], Is.EqualTo("topic49"));
            Assert.That(data.TopicNames, Does.Not.Contain("topic03"));
            Assert.That(data.TrainLabels.Concat(data.TestLabels), Has.All.InRange(0, 45));
            Assert.That(data.TrainLabels.Length + data.TestLabels.Length, Is.EqualTo(Enumerable.Range(5, 46).Sum()));
        });
    }

    [Test]
    public void Package_folder_files_are_read_in_name_order()
    {
        using var temp = new TempFolder();
        temp.Write("data/full/reuters-001.json", """[{"title":"second","body":"b","topics":["x"],"id":"2"}]""");
        temp.Write("data/full/reuters-000.json", """[{"title":"first","body":"first first","topics":["x"],"id":"1"}]""");
        ReutersDataset data = ReutersNewswires.LoadFromPackageDirectory(temp.Path, new ReutersOptions { TestSplit = 0 });
        Assert.Multiple(() =>
        {
            Assert.That(data.WordIndex["first"], Is.EqualTo(1));
            Assert.That(data.TrainSequences, Has.Length.EqualTo(2));
        });
    }

    [TestCase("""[{"id":"7","topics":[1],"body":"a"}]""", "article 0 (id '7') has a topic of type Number, expected a string")]
    [TestCase("""[{"id":"7","topics":"earn","body":"a"}]""", "article 0 (id '7') has topics of type String, expected an array of strings")]
    public void Topics_of_the_wrong_type_are_an_error_naming_the_file_and_article(string json, string problem) =>
        Assert.That(() => ReutersJsonReader.Parse(Encoding.UTF8.GetBytes(json), "r.json"),
            Throws.TypeOf<InvalidDataException>().With.Message.EqualTo($"r.json: {problem}."));

    [Test]
    public void Options_that_would_drop_everything_are_refused()
    {
        Assert.That(() => ReutersNewswires.Build(Corpus(), new ReutersOptions { TestSplit = double.NaN }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("TestSplit"));
        Assert.That(() => ReutersNewswires.Build(Corpus(), new ReutersOptions { NumWords = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("null keeps every word"));
        Assert.That(() => ReutersNewswires.Build(Corpus(), new ReutersOptions { Maxlen = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("null keeps every sequence"));
        Assert.That(() => ReutersNewswires.Build(Corpus(), new ReutersOptions { SkipTop = -1 }), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
