using RnnGpu.Datasets;

namespace RnnGpu.Examples.Tests;

/// <summary>Small generated stand-ins for the real data sets, so smoke tests need no network.</summary>
internal static class SyntheticData
{
    /// <summary>Images of <paramref name="size"/>×<paramref name="size"/> in [0, 1] whose class is the row of a bright bar, plus noise.</summary>
    public static ImageClassificationDataset Images(int train, int test, IReadOnlyList<string> classNames, int size = 28, int seed = 5)
    {
        var random = new Random(seed);
        LabeledImages Make(int n)
        {
            var images = new Tensor(n, size, size);
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % classNames.Count;
                int bar = labels[i] * size / classNames.Count;
                for (int r = 0; r < size; r++)
                    for (int c = 0; c < size; c++)
                        images[i, r, c] = (float)(0.2 * random.NextDouble() + (r == bar ? 0.8 : 0));
            }
            return new LabeledImages(images, labels);
        }
        return new ImageClassificationDataset(Make(train), Make(test), classNames);
    }

    /// <summary>Word-index newswires whose topic decides which index range their words come from.</summary>
    public static ReutersDataset Newswires(int train, int test, int topics = 4, int seed = 6)
    {
        var random = new Random(seed);
        (int[][] Sequences, int[] Labels) Make(int n)
        {
            var sequences = new int[n][];
            var labels = new int[n];
            for (int i = 0; i < n; i++)
            {
                labels[i] = i % topics;
                sequences[i] = [1, .. Enumerable.Range(0, random.Next(5, 60)).Select(_ => 3 + labels[i] * 50 + random.Next(50))];
            }
            return (sequences, labels);
        }
        var (trainSequences, trainLabels) = Make(train);
        var (testSequences, testLabels) = Make(test);
        return new ReutersDataset(trainSequences, trainLabels, testSequences, testLabels,
            new Dictionary<string, int> { ["the"] = 1 }, [.. Enumerable.Range(0, topics).Select(t => $"topic{t}")]);
    }

    /// <summary>Pronounceable made-up names.</summary>
    public static string[] Names(int count, int seed = 7)
    {
        var random = new Random(seed);
        string[] syllables = ["an", "na", "ma", "ri", "el", "la", "so", "phi", "ka", "te"];
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            string name = string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => syllables[random.Next(syllables.Length)]));
            return char.ToUpperInvariant(name[0]) + name[1..];
        })];
    }

    /// <summary>Short speeches from a small repetitive vocabulary.</summary>
    public static string[] Speeches(int count, int sentences, int seed = 8)
    {
        var random = new Random(seed);
        string[] subjects = ["the nation", "our people", "the congress", "america", "every family"];
        string[] verbs = ["will build", "must protect", "can renew", "shall defend"];
        string[] objects = ["the economy", "our schools", "the union", "new jobs", "the future"];
        return [.. Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Range(0, sentences).Select(_ =>
            $"{subjects[random.Next(subjects.Length)]} {verbs[random.Next(verbs.Length)]} {objects[random.Next(objects.Length)]}.")))];
    }
}
