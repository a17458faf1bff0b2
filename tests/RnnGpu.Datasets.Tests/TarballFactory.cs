using System.Formats.Tar;
using System.IO.Compression;

namespace RnnGpu.Datasets.Tests;

/// <summary>Makes small gzipped tarballs shaped like the ones npm pack writes.</summary>
internal static class TarballFactory
{
    /// <summary>Writes a .tgz holding the given files (entry name → content), in order.</summary>
    public static string Create(string path, params (string Name, string Content)[] files)
    {
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach ((string name, string content) in files)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
                };
                writer.WriteEntry(entry);
            }
        }
        return path;
    }

    /// <summary>Writes a .tgz whose only entry is a symbolic link.</summary>
    public static string CreateWithSymlink(string path, string linkName, string target)
    {
        using (var file = File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, linkName) { LinkName = target });
        return path;
    }
}
