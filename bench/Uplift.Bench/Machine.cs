using System.Globalization;
using System.Runtime.InteropServices;

namespace Uplift.Bench;

/// <summary>What the benchmarks ran on, and small argument helpers.</summary>
static class Machine
{
    public static string Describe()
    {
        string cpu = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null) cpu = line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        double load = -1;
        try { load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
        catch (IOException) { }
        return $"{cpu}, {Environment.ProcessorCount} cores, {RuntimeInformation.FrameworkDescription}, " +
               $"AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, load average {load:0.0}";
    }

    public static string[]? Strings(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i < 0 || i + 1 >= args.Length ? null : args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }

    public static int[]? Ints(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i < 0 || i + 1 >= args.Length ? null : args[i + 1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }
}
