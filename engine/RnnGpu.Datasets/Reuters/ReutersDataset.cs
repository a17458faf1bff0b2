namespace RnnGpu.Datasets;

/// <summary>The Reuters topic-classification data as <see cref="ReutersNewswires.Load"/> returns it.</summary>
/// <param name="TrainSequences">Word-index sequences of the training newswires (variable length; pad with <see cref="SequencePadding"/>).</param>
/// <param name="TrainLabels">Topic label of each training newswire, 0..45.</param>
/// <param name="TestSequences">Word-index sequences of the test newswires.</param>
/// <param name="TestLabels">Topic label of each test newswire, 0..45.</param>
/// <param name="WordIndex">Word to frequency rank (1 = most frequent), before the <see cref="ReutersOptions.IndexFrom"/> shift, as Keras's <c>get_word_index</c>.</param>
/// <param name="TopicNames">Topic code of each label (label 0 is the most frequent topic, <c>earn</c>).</param>
public sealed record ReutersDataset(
    int[][] TrainSequences,
    int[] TrainLabels,
    int[][] TestSequences,
    int[] TestLabels,
    IReadOnlyDictionary<string, int> WordIndex,
    IReadOnlyList<string> TopicNames);
