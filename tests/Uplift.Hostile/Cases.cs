using Uplift.Hostile.Generators;

namespace Uplift.Hostile;

/// <summary>Every hostile case, in a stable order; and the deterministic in-suite slice.</summary>
public static class Cases
{
    public static IReadOnlyList<HostileCase> All() =>
        [.. FilesCases.All(), .. FilesCases.KillCases(), .. DataCases.All(), .. ModelCases.All(), .. CliCases.All()];

    /// <summary>Up to <paramref name="perClass"/> fast in-process cases of each class, spread evenly over the class.</summary>
    public static IReadOnlyList<HostileCase> Slice(int perClass = 10)
    {
        var r = new List<HostileCase>();
        foreach (var cls in CaseClass.All)
        {
            var pool = All().Where(c => c.Class == cls && !c.ProcessOnly && !c.Slow).ToList();
            int step = Math.Max(1, pool.Count / perClass);
            for (int i = 0; i < pool.Count && r.Count(x => x.Class == cls) < perClass; i += step) r.Add(pool[i]);
        }
        return r;
    }
}
