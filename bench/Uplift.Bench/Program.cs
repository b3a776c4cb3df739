using System.Globalization;
using Uplift.Bench;

// The performance and quality harness. Each subcommand prints a Markdown table; docs/BENCHMARKS.md
// records the results with the date and the machine. Usage:
//   dotnet run --project bench/Uplift.Bench -c Release -- <step|determinism|all> [options]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string what = args.Length > 0 ? args[0] : "help";
var rest = args.Skip(1).ToArray();
Console.WriteLine($"<!-- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()} -->");
switch (what)
{
    case "step":
        Console.WriteLine("| model | scorer | users x features | threads | median ms/step | min ms | CPU ms/step | peak MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (bool crm in new[] { false, true })
            StepBench.Run(rowCounts: Machine.Ints(rest, "--rows") ?? [100_000, 1_000_000], threadCounts: [1, 2], crm: crm,
                onRow: r => Console.WriteLine(
                    $"| {r.Model} | {r.Scorer} | {r.Rows:N0} x {r.Features} | {r.Threads} | {r.MedianMs:F2} | {r.MinMs:F2} | {r.CpuMsPerStep:F2} | {r.PeakWorkingSetMb} |"));
        break;
    case "determinism":
        DeterminismBench.Run(Console.WriteLine);
        break;
    default:
        Console.WriteLine("usage: Uplift.Bench <step|determinism> [--rows 100000,1000000]");
        return 2;
}
return 0;
