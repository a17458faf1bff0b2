using System.Text.Json.Serialization;

namespace RnnGpu.Datasets;

/// <summary>Source-generated JSON metadata, so parsing needs no reflection.</summary>
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(StateOfTheUnionAddress))]
internal sealed partial class DatasetsJsonContext : JsonSerializerContext;
