namespace RnnGpu.Datasets.Tests;

/// <summary>
/// A shell script standing in for npm: it logs its arguments, and for <c>pack</c> either copies a
/// prepared tarball into the <c>--pack-destination</c> folder or fails like an offline npm.
/// </summary>
internal sealed class FakeNpm
{
    private FakeNpm(string command, string logPath)
    {
        Command = command;
        LogPath = logPath;
    }

    /// <summary>Path to pass as the npm command.</summary>
    public string Command { get; }

    private string LogPath { get; }

    /// <summary>How many times the script ran.</summary>
    public int Invocations => File.Exists(LogPath) ? File.ReadAllLines(LogPath).Length : 0;

    /// <summary>The argument lines it was run with.</summary>
    public string[] LoggedArguments => File.Exists(LogPath) ? File.ReadAllLines(LogPath) : [];

    /// <summary>An npm that "downloads" <paramref name="tarball"/> under the file name <paramref name="packedName"/>.</summary>
    public static FakeNpm Serving(string folder, string tarball, string packedName) =>
        Create(folder, $"""
            [ "$1" = pack ] || exit 3
            [ "$3" = --pack-destination ] || exit 4
            cp '{tarball}' "$4/{packedName}"
            echo {packedName}
            """);

    /// <summary>An npm that fails as it does without network.</summary>
    public static FakeNpm Failing(string folder) =>
        Create(folder, """
            echo "npm error code ENOTFOUND" >&2
            exit 1
            """);

    private static FakeNpm Create(string folder, string body)
    {
        if (OperatingSystem.IsWindows())
            Assert.Ignore("The fake npm is a POSIX shell script.");
        Directory.CreateDirectory(folder);
        string log = Path.Combine(folder, "npm-calls.log");
        string script = Path.Combine(folder, "npm");
        File.WriteAllText(script, $"#!/bin/sh\necho \"$@\" >> '{log}'\n{body}\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FakeNpm(script, log);
    }
}
