using System.Runtime.InteropServices;

namespace RnnGpu.Bench;

/// <summary>What the report header says about the machine a result came from.</summary>
public static class MachineInfo
{
    /// <summary>Host name, lower case, safe in a directory name.</summary>
    public static string ShortName => new([.. Environment.MachineName.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '-')]);

    /// <summary>CPU model from /proc/cpuinfo when there is one.</summary>
    public static string CpuModel
    {
        get
        {
            try
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null) return line[(line.IndexOf(':') + 1)..].Trim();
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    /// <summary>One line: OS, CPU, cores, .NET.</summary>
    public static string Describe() =>
        $"{RuntimeInformation.OSDescription}; {CpuModel}; {Environment.ProcessorCount} logical cores; .NET {Environment.Version}";
}
