using System.Diagnostics;
using Uplift.Allocation;

namespace Uplift.Bench;

/// <summary>
/// Speed and memory of the budget path across arms (METHOD.md section 10; issue 11: 10 million candidates x 3 arms in
/// seconds, bounded memory): build (hulls + the one sort), assign at 30 % of the full cost, the path points.
/// </summary>
static class AllocationBench
{
    public static void Run(int users, int arms, Action<string> print)
    {
        var (v, c) = Effects(users, arms);
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var path = BudgetPath.Build(v, c, users, arms);
        double build = sw.Elapsed.TotalSeconds, buildCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        sw.Restart();
        var plan = path.Assign(0.3 * path.FullCost);
        double assign = sw.Elapsed.TotalSeconds;
        sw.Restart();
        var (pc, _) = path.Points();
        double points = sw.Elapsed.TotalSeconds;
        int treated = plan.Arm.Count(a => a != 0);
        print("| users x arms | upgrades | build s (CPU s) | assign s | points s | allocated by build MiB | peak working set MiB | treated at 30 % |");
        print("|---|---|---|---|---|---|---|---|");
        print($"| {users:N0} x {arms} | {path.Count:N0} | {build:F2} ({buildCpu:F2}) | {assign:F2} | {points:F2} | {allocated >> 20:N0} | " +
              $"{Process.GetCurrentProcess().PeakWorkingSet64 >> 20:N0} | {treated:N0} ({pc.Length:N0} points) |");
    }

    /// <summary>Diminishing returns: arm k costs about k² and buys about √k times a user's appetite (some users none).</summary>
    static (double[] V, double[] C) Effects(int users, int arms)
    {
        var v = new double[(long)users * arms]; var c = new double[(long)users * arms];
        const int chunk = 1 << 16;
        Parallel.For(0, (users + chunk - 1) / chunk, ch =>
        {
            var rng = Rng.Derive(1, RngStream.BenchAllocationData, ch);
            for (int i = ch * chunk; i < Math.Min(users, (ch + 1) * chunk); i++)
            {
                double u = rng.NextDouble() * 2 - 0.3, w = 0.5 + rng.NextDouble();
                for (int a = 0; a < arms; a++)
                {
                    v[(long)i * arms + a] = u * Math.Sqrt(a + 1) + 0.1 * rng.NextNormal();
                    c[(long)i * arms + a] = w * (a + 1) * (a + 1) * 0.5 + 0.05 * rng.NextNormal();
                }
            }
        });
        return (v, c);
    }
}
