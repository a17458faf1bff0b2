namespace RnnGpu.Datasets;

/// <summary>One newswire of the Reuters-21578 collection as the JSON package stores it.</summary>
/// <param name="Id">The collection's NEWID, as a string.</param>
/// <param name="Title">Headline; empty when the article has none.</param>
/// <param name="Body">Text; empty when the article has none.</param>
/// <param name="Topics">Topic codes in the collection's order (for example <c>earn</c>, <c>acq</c>); may be empty.</param>
public sealed record ReutersArticle(string Id, string Title, string Body, IReadOnlyList<string> Topics);
