namespace Uplift.Campaign;

/// <summary>
/// Read-out of a multi-arm campaign (METHOD.md sections 9 and 10), per arm k:
/// <list type="bullet">
/// <item>explore: ATE_k = mean over explore users given k − mean over all explore-control users (randomized);</item>
/// <item>exploit: ATE_k = mean over exploit users given k − mean over the explore-control users whose path arm is k (the
///   explore draw is independent of the path, so they are a random sample of the exploit region of arm k untreated);
///   with fewer than 2 of them, all explore controls (a warning: biased);</item>
/// <item>realised value_k = n_explore,k ATE_v,explore,k + n_exploit,k ATE_v,exploit,k, likewise cost; totals over arms;
///   value per cost of the explore users and of the exploit users (Σ value / Σ cost).</item>
/// </list>
/// Intervals: percentile bootstrap, each (group, arm, path arm) stratum resampled to its size, replicate b drawing from
/// <c>Rng.Derive(seed, RngStream.ReadoutBootstrap, b)</c>. The control label is the explore controls' arm; the arms are
/// the other labels of the file, in ordinal order.
/// </summary>
public static class MultiArmReadout
{
    public static MultiArmCampaignTotals Compute(IReadOnlyList<AssignedUser> users, IReadOnlyList<UserOutcome> outcomes, ReadoutOptions options)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var control = users.FirstOrDefault(u => u.Group == CampaignGroup.ExploreControl).Arm
            ?? throw new UpliftDataException("the campaign has no explore-control users: no read-out without a randomized control.");
        var labels = users.SelectMany(u => new[] { u.Arm!, u.PolicyArm! }).Where(l => !string.Equals(l, control, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        int k = labels.Count;
        var byId = new Dictionary<string, UserOutcome>(StringComparer.Ordinal);
        foreach (var o in outcomes) byId.TryAdd(o.Id, o);
        // Strata: 0..k explore given arm a (0 = control) by path arm p: index a * (k + 1) + p; exploit given a: (k + 1)^2 + a.
        int s0 = (k + 1) * (k + 1);
        var strata = Enumerable.Range(0, s0 + k + 1).Select(_ => new List<(double V, double C)>()).ToArray();
        var warnings = new List<string>();
        int missing = 0;
        for (int q = 0; q < users.Count; q++)
        {
            var u = users[q];
            if (u.Group == CampaignGroup.Untreated) continue;
            if (!byId.TryGetValue(u.Id, out var o))
            {
                if (!options.DropMissingOutcomes) throw new UpliftDataException($"user '{u.Id}' ({CampaignFiles.GroupName(u.Group)}) has no outcome; {options.AllowMissingHint}.");
                missing++; continue;
            }
            int a = MultiArmCampaign.ArmIndex(u.Arm, labels, control, q), p = MultiArmCampaign.ArmIndex(u.PolicyArm, labels, control, q);
            strata[u.Group == CampaignGroup.ExploitTreated ? s0 + a : a * (k + 1) + p].Add((o.Value, o.Cost));
        }
        if (missing > 0) warnings.Add($"{missing} explore or exploit users without an outcome were left out.");
        var fallback = new bool[k + 1];
        for (int a = 1; a <= k; a++)
            if (strata[s0 + a].Count > 0 && strata[a].Count < 2)
            {
                fallback[a] = true;
                warnings.Add($"fewer than 2 explore controls in the exploit region of arm {labels[a - 1]}: its exploit ATE is read against all explore controls (biased).");
            }
        var point = Totals(strata, k, s0, fallback, labels);
        int reps = options.BootstrapReplicates;
        var rv = new double[reps]; var rc = new double[reps];
        var av = new double[k][]; var ac = new double[k][];
        for (int a = 0; a < k; a++) { av[a] = new double[reps]; ac[a] = new double[reps]; }
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, b =>
        {
            var rng = Rng.Derive(options.Seed, RngStream.ReadoutBootstrap, b);
            var rs = strata.Select(s => { var r = new List<(double, double)>(s.Count); for (int q = 0; q < s.Count; q++) r.Add(s[rng.NextInt(s.Count)]); return r; }).ToArray();
            var t = Totals(rs, k, s0, fallback, labels);
            rv[b] = t.Value; rc[b] = t.Cost;
            for (int a = 0; a < k; a++) { av[a][b] = t.Arms[a].Value; ac[a][b] = t.Arms[a].Cost; }
        });
        double lv = options.ConfidenceLevel;
        var arms = point.Arms.Select((x, a) => x with
        {
            ValueCi = Readout.PercentileInterval(av[a], lv, out _), CostCi = Readout.PercentileInterval(ac[a], lv, out _),
        }).ToList();
        return point with
        {
            Arms = arms, ValueCi = Readout.PercentileInterval(rv, lv, out _), CostCi = Readout.PercentileInterval(rc, lv, out _), Warnings = warnings,
        };
    }

    static MultiArmCampaignTotals Totals(List<(double V, double C)>[] strata, int k, int s0, bool[] fallback, List<string> labels)
    {
        static (double V, double C, int N) Mean(IEnumerable<List<(double V, double C)>> groups)
        {
            double v = 0, c = 0; int n = 0;
            foreach (var g in groups) foreach (var (x, y) in g) { v += x; c += y; n++; }
            return n == 0 ? (double.NaN, double.NaN, 0) : (v / n, c / n, n);
        }
        var ctlAll = Mean(Enumerable.Range(0, k + 1).Select(p => strata[p]));
        var arms = new List<ArmOutcome>(k);
        double ev = 0, ec = 0, xv = 0, xc = 0;
        for (int a = 1; a <= k; a++)
        {
            var e = Mean(Enumerable.Range(0, k + 1).Select(p => strata[a * (k + 1) + p]));
            var x = Mean([strata[s0 + a]]);
            var ctl = fallback[a] ? ctlAll : Mean([strata[a]]);
            double eav = e.N == 0 ? 0 : e.V - ctlAll.V, eac = e.N == 0 ? 0 : e.C - ctlAll.C;
            double xav = x.N == 0 ? 0 : x.V - ctl.V, xac = x.N == 0 ? 0 : x.C - ctl.C;
            ev += e.N * eav; ec += e.N * eac; xv += x.N * xav; xc += x.N * xac;
            arms.Add(new ArmOutcome(labels[a - 1], e.N, x.N, e.N * eav + x.N * xav, e.N * eac + x.N * xac,
                e.N == 0 ? null : eav, e.N == 0 ? null : eac, x.N == 0 ? null : xav, x.N == 0 ? null : xac));
        }
        return new MultiArmCampaignTotals(arms, ev + xv, ec + xc, null, null, ev / ec, xv / xc, []);
    }
}
