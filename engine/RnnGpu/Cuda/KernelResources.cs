using System.Globalization;
using System.Text.RegularExpressions;

namespace RnnGpu.Cuda;

/// <summary>
/// What ptxas reports of one kernel in a CUBIN (<c>-Xptxas -v</c>): the resources that decide how many of its blocks an
/// SM holds at once, and whether it spills registers to local memory (slow, and a sign a kernel change went too far).
/// </summary>
/// <param name="Kernel">The kernel's (extern "C") name.</param>
/// <param name="Architecture">The real architecture it was assembled for, e.g. "sm_90".</param>
/// <param name="Registers">Registers per thread.</param>
/// <param name="SharedBytes">Static shared memory per block.</param>
/// <param name="StackBytes">Stack frame per thread.</param>
/// <param name="SpillStoreBytes">Bytes of register spill stores.</param>
/// <param name="SpillLoadBytes">Bytes of register spill loads.</param>
internal sealed partial record KernelResources(string Kernel, string Architecture, int Registers, int SharedBytes, int StackBytes, int SpillStoreBytes, int SpillLoadBytes)
{
    /// <summary>Whether ptxas spilled registers to local memory.</summary>
    public bool Spills => SpillStoreBytes > 0 || SpillLoadBytes > 0;

    /// <summary>
    /// Reads ptxas's verbose log (NVRTC 11.8 to 13 write the same lines): per kernel a "Compiling entry function" line,
    /// then its stack/spill line and its "Used N registers" line, in that order.
    /// </summary>
    /// <exception cref="FormatException">A kernel's entry has no register line: the log is not what ptxas writes.</exception>
    public static IReadOnlyList<KernelResources> Parse(string ptxasLog)
    {
        var kernels = new List<KernelResources>();
        string? kernel = null, architecture = null;
        int stack = 0, spillStores = 0, spillLoads = 0;
        foreach (var line in ptxasLog.Split('\n'))
        {
            if (EntryLine().Match(line) is { Success: true } entry)
            {
                if (kernel is not null) throw new FormatException($"ptxas log: no register count for kernel '{kernel}'.");
                (kernel, architecture, stack, spillStores, spillLoads) = (entry.Groups[1].Value, entry.Groups[2].Value, 0, 0, 0);
            }
            else if (kernel is not null && SpillLine().Match(line) is { Success: true } spill)
            {
                (stack, spillStores, spillLoads) = (Int(spill.Groups[1]), Int(spill.Groups[2]), Int(spill.Groups[3]));
            }
            else if (kernel is not null && RegisterLine().Match(line) is { Success: true } used)
            {
                var shared = SharedPart().Match(line);
                kernels.Add(new KernelResources(kernel, architecture!, Int(used.Groups[1]), shared.Success ? Int(shared.Groups[1]) : 0,
                    stack, spillStores, spillLoads));
                kernel = null;
            }
        }
        if (kernel is not null) throw new FormatException($"ptxas log: no register count for kernel '{kernel}'.");
        return kernels;
    }

    private static int Int(Group g) => int.Parse(g.Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Compiling entry function '(\w+)' for '(sm_\w+)'")]
    private static partial Regex EntryLine();

    [GeneratedRegex(@"(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex SpillLine();

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex RegisterLine();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex SharedPart();
}
