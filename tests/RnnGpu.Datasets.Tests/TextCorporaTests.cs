using System.Text;

namespace RnnGpu.Datasets.Tests;

[TestFixture]
public sealed class TextCorporaTests
{
    [Test]
    public void Names_are_parsed_in_order()
    {
        using var temp = new TempFolder();
        temp.Write("data/names.json", """["Aaren","Zoë","Ada"]""");
        Assert.That(FemaleFirstNames.LoadFromPackageDirectory(temp.Path), Is.EqualTo(new[] { "Aaren", "Zoë", "Ada" }));
    }

    [TestCase("""{"a":1}""")]
    [TestCase("""["ok", ""]""")]
    [TestCase("""[1, 2]""")]
    public void Malformed_names_are_rejected(string json) =>
        Assert.Throws<InvalidDataException>(() => FemaleFirstNames.Parse(Encoding.UTF8.GetBytes(json)));

    private static TempFolder SotuPackage()
    {
        var temp = new TempFolder();
        void Add(int year, string name, string party, string text) =>
            temp.Write($"data/{year}_{name.ToLowerInvariant().Replace(' ', '_')}_{party[0]}.json",
                $$"""{"year":{{year}},"name":"{{name}}","party":"{{party}}","text":"{{text}}"}""");
        Add(1861, "Abraham Lincoln", "Republican", "Fellow-Citizens one");
        Add(1862, "Abraham Lincoln", "Republican", "Fellow-Citizens two");
        Add(1953, "Harry S Truman", "Democratic", "outgoing");
        Add(1953, "Dwight D Eisenhower", "Republican", "incoming");
        temp.Write("data/1953_dwight_d_eisenhower_r.txt", "plain text twin, ignored");
        return temp;
    }

    [Test]
    public void Sotu_addresses_are_read_and_ordered_by_year()
    {
        using TempFolder temp = SotuPackage();
        IReadOnlyList<StateOfTheUnionAddress> all = StateOfTheUnion.LoadFromPackageDirectory(temp.Path);
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(a => a.Year), Is.EqualTo(new[] { 1861, 1862, 1953, 1953 }));
            Assert.That(all[0], Is.EqualTo(new StateOfTheUnionAddress(1861, "Abraham Lincoln", "Republican", "Fellow-Citizens one")));
            Assert.That(all.Select(a => a.President), Does.Contain("Harry S Truman").And.Contain("Dwight D Eisenhower"));
        });
    }

    [Test]
    public void Sotu_selection_by_years_and_president()
    {
        using TempFolder temp = SotuPackage();
        Assert.Multiple(() =>
        {
            Assert.That(StateOfTheUnion.LoadFromPackageDirectory(temp.Path, fromYear: 1862).Select(a => a.Year), Is.EqualTo(new[] { 1862, 1953, 1953 }));
            Assert.That(StateOfTheUnion.LoadFromPackageDirectory(temp.Path, toYear: 1861).Select(a => a.Text), Is.EqualTo(new[] { "Fellow-Citizens one" }));
            Assert.That(StateOfTheUnion.LoadFromPackageDirectory(temp.Path, 1900, 2000, "truman").Select(a => a.Text), Is.EqualTo(new[] { "outgoing" }));
            Assert.That(StateOfTheUnion.LoadFromPackageDirectory(temp.Path, president: "Washington"), Is.Empty);
        });
    }

    [TestCase("""{"year":1790,"name":"G W","party":"none"}""")]
    [TestCase("""{"year":"1790","name":"G W","party":"none","text":"t"}""")]
    [TestCase("""not json""")]
    public void Malformed_sotu_files_are_rejected(string json) =>
        Assert.Throws<InvalidDataException>(() => StateOfTheUnion.Parse(Encoding.UTF8.GetBytes(json)));

    [Test]
    public void A_sotu_file_without_a_year_is_refused_not_read_as_year_0() =>
        Assert.That(() => StateOfTheUnion.Parse(Encoding.UTF8.GetBytes("""{"name":"X","party":"p","text":"t"}"""), "1999_x.json"),
            Throws.TypeOf<InvalidDataException>().With.Message.StartsWith("1999_x.json: malformed address JSON").And.Message.Contains("year"));

    [Test]
    public void A_names_file_error_names_the_file()
    {
        using var temp = new TempFolder();
        string path = temp.Write("data/names.json", "[\"Ann\", \"\"]");
        Assert.That(() => FemaleFirstNames.LoadFromPackageDirectory(temp.Path),
            Throws.TypeOf<InvalidDataException>().With.Message.EqualTo($"{path}: must be a JSON array of non-empty strings."));
    }
}
