namespace RnnGpu.Examples.Words;

/// <summary>The settings of the word-level model beyond the shared options.</summary>
public sealed record WordsSettings
{
    /// <summary>Words of context before the predicted word.</summary>
    public int ContextLength { get; init; } = 7;

    /// <summary>Vocabulary entries, the unknown-word entry included.</summary>
    public int VocabularySize { get; init; } = 2000;

    /// <summary>Width of the word embedding fed to the first LSTM.</summary>
    public int EmbeddingWidth { get; init; } = 100;

    /// <summary>Units of the first LSTM (the tutorial's 1024).</summary>
    public int Units1 { get; init; } = 1024;

    /// <summary>Units of the second LSTM (the tutorial's 512).</summary>
    public int Units2 { get; init; } = 512;

    /// <summary>RMSprop's learning rate.</summary>
    public double LearningRate { get; init; } = 0.001;

    /// <summary>Training iterations (batches) between two progress reports.</summary>
    public int PrintEvery { get; init; } = 100;

    /// <summary>Text to continue after training (null: ask on the terminal when there is one).</summary>
    public string? Prompt { get; init; }

    /// <summary>Words generated after a prompt.</summary>
    public int GenerateWords { get; init; } = 20;

    /// <summary>Sampling temperature of the continuation (0: always the most likely word).</summary>
    public double Temperature { get; init; } = 0.5;

    /// <summary>Read prompts from standard input when no prompt was given and both input and output are a terminal.</summary>
    public bool Interactive { get; init; }
}
