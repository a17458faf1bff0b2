using System.Formats.Tar;
using System.IO.Compression;

namespace RnnGpu.Datasets;

/// <summary>
/// Unpacks a gzipped tarball into a folder, refusing entries that would land outside it
/// (absolute paths, <c>..</c> segments, links).
/// </summary>
public static class SafeTarExtractor
{
    /// <summary>Extracts every regular file and folder of <paramref name="tgzPath"/> under <paramref name="destination"/>.</summary>
    /// <exception cref="InvalidDataException">An entry's path escapes the destination, or the entry is a link.</exception>
    public static void Extract(string tgzPath, string destination)
    {
        string root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        string rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;

        using var file = File.OpenRead(tgzPath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            string target = ResolveInside(rootWithSeparator, entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    break;
                case TarEntryType.RegularFile:
                case TarEntryType.V7RegularFile:
                case TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    // Written by hand rather than ExtractToFile so permissions from the archive are not applied.
                    using (var output = File.Create(target))
                        entry.DataStream?.CopyTo(output);
                    break;
                case TarEntryType.SymbolicLink:
                case TarEntryType.HardLink:
                    throw new InvalidDataException($"Tar entry '{entry.Name}' is a link; links are refused.");
                default:
                    // Global/extended headers and other metadata carry no file content.
                    break;
            }
        }
    }

    private static string ResolveInside(string rootWithSeparator, string entryName)
    {
        string name = entryName.Replace('\\', '/');
        if (name.Length == 0 || name.StartsWith('/') || Path.IsPathRooted(name)
            || name.Split('/').Any(segment => segment == ".."))
            throw new InvalidDataException($"Tar entry '{entryName}' has an unsafe path.");
        string full = Path.GetFullPath(Path.Combine(rootWithSeparator, name));
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal) && full + Path.DirectorySeparatorChar != rootWithSeparator)
            throw new InvalidDataException($"Tar entry '{entryName}' would be written outside the destination.");
        return full;
    }
}
