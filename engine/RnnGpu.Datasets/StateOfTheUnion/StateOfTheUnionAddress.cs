using System.Text.Json.Serialization;

namespace RnnGpu.Datasets;

/// <summary>One State of the Union address.</summary>
/// <param name="Year">Year it was given.</param>
/// <param name="President">President's full name as the package writes it, for example "George Washington".</param>
/// <param name="Party">Party as the package writes it, for example "Democratic", "Republican" or "none".</param>
/// <param name="Text">The whole address as one string (the package keeps no paragraph breaks).</param>
public sealed record StateOfTheUnionAddress(
    [property: JsonPropertyName("year"), JsonRequired] int Year,
    [property: JsonPropertyName("name"), JsonRequired] string President,
    [property: JsonPropertyName("party"), JsonRequired] string Party,
    [property: JsonPropertyName("text"), JsonRequired] string Text);
