using System.Text.RegularExpressions;
using NUnit.Framework;

namespace RnnGpu.Tests.Cuda;

/// <summary>
/// Checks without a GPU that every kernel launch in the CUDA backend passes the kernel's parameters in the right
/// order and width: the host side's <c>KernelArguments</c> calls (Pointer/Int/Long/Float) are read from the C# source
/// and compared with the <c>extern "C"</c> signatures in kernels/*.cu. A mismatch would silently corrupt a launch.
/// </summary>
[TestFixture]
public sealed partial class LaunchSignatureTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RnnGpu.sln"))) return dir.FullName;
        return "";
    }

    private static Dictionary<string, string> KernelSignatures(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(root, "kernels"), "*.cu"))
        {
            var text = File.ReadAllText(file);
            foreach (Match m in KernelDeclaration().Matches(text))
            {
                var kinds = m.Groups[2].Value.Split(',').Select(p => p.Trim()).Where(p => p.Length > 0).Select(p =>
                    p.Contains('*') ? 'P' : p.StartsWith("long long", StringComparison.Ordinal) ? 'L' : p.StartsWith("int", StringComparison.Ordinal) ? 'I'
                    : p.StartsWith("float", StringComparison.Ordinal) ? 'F' : '?');
                result[m.Groups[1].Value] = new string(kinds.ToArray());
            }
        }
        return result;
    }

    [Test]
    public void EveryLaunchMatchesItsKernelSignature()
    {
        var root = RepositoryRoot();
        if (root.Length == 0) Assert.Ignore("The repository sources are not next to the test binaries (published bundle); this check runs from a checkout.");
        var signatures = KernelSignatures(root);
        Assert.That(signatures, Has.Count.GreaterThan(30));

        int checkedLaunches = 0;
        var problems = new List<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(root, "engine/RnnGpu/Cuda"), "CudaBackend*.cs"))
        {
            var text = File.ReadAllText(file);
            var elementwiseKernels = ElementwiseHelperCall().Matches(text).Select(m => m.Groups[1].Value).ToArray();
            foreach (Match launch in LaunchCall().Matches(text))
            {
                var call = launch.Value;
                var variable = launch.Groups["var"].Value;
                var kernels = QuotedName().Matches(call).Select(m => m.Groups[1].Value).Skip(1).ToList();
                if (kernels.Count == 0) kernels.AddRange(elementwiseKernels); // Launch("loss", kernel, ...) inside the shared loss helper
                int start = text.LastIndexOf($"var {variable} = new KernelArguments(", launch.Index, StringComparison.Ordinal);
                Assert.That(start, Is.GreaterThanOrEqualTo(0), $"{Path.GetFileName(file)}: no KernelArguments '{variable}' before {call}");
                // One KernelArguments may serve several switch cases: read only this case's calls.
                int caseLabel = text.LastIndexOf("case ", launch.Index, StringComparison.Ordinal);
                var segment = text[Math.Max(start, caseLabel)..launch.Index];
                var passed = new string(Regex.Matches(segment, $@"\b{variable}\.(Pointer|Int|Long|Float)\(")
                    .Select(m => m.Groups[1].Value switch { "Pointer" => 'P', "Int" => 'I', "Long" => 'L', _ => 'F' }).ToArray());
                foreach (var kernel in kernels)
                {
                    checkedLaunches++;
                    if (!signatures.TryGetValue(kernel, out var expected)) problems.Add($"{kernel}: no such kernel in kernels/*.cu");
                    else if (expected != passed) problems.Add($"{kernel}: kernel takes {expected}, host passes {passed} ({Path.GetFileName(file)})");
                }
            }
        }
        Assert.That(problems, Is.Empty);
        Assert.That(checkedLaunches, Is.GreaterThan(30));
        TestContext.Out.WriteLine($"{checkedLaunches} launches checked against {signatures.Count} kernels.");
    }

    [Test]
    public void EveryKernelIsLaunchedSomewhere()
    {
        var root = RepositoryRoot();
        if (root.Length == 0) Assert.Ignore("The repository sources are not next to the test binaries.");
        var host = string.Concat(Directory.GetFiles(Path.Combine(root, "engine/RnnGpu/Cuda"), "CudaBackend*.cs").Select(File.ReadAllText));
        var unused = KernelSignatures(root).Keys.Where(k => !host.Contains('"' + k + '"', StringComparison.Ordinal)).ToArray();
        Assert.That(unused, Is.Empty);
    }

    [GeneratedRegex(@"extern ""C"" __global__ void (\w+)\s*\(([^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex KernelDeclaration();

    [GeneratedRegex(@"Launch(?:Rows|Blocks|Steps)?\(""\w+""[^;]*?,\s*(?<var>\w+)\);")]
    private static partial Regex LaunchCall();

    [GeneratedRegex(@"""(\w+)""")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"Elementwise\(""(\w+)""")]
    private static partial Regex ElementwiseHelperCall();
}
