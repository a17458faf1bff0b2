namespace RnnGpu.Datasets;

/// <summary>Which end of a sequence padding is added to, or truncation removes from.</summary>
public enum PaddingSide
{
    /// <summary>The start of the sequence (Keras's <c>"pre"</c>, its default).</summary>
    Pre,

    /// <summary>The end of the sequence (Keras's <c>"post"</c>).</summary>
    Post,
}
