using System.Globalization;

namespace Uplift.Campaign;

// What the plan sources share: per-arm sums and effects, the explore cost check, the budget warning and the ratio.
public static partial class Plan
{
    /// <summary>Adds the warning that the budget does not bind when every candidate fits (the plan's k is N).</summary>
    static void WarnIfNotBinding(List<string> warnings, int bestK, int candidates, double budget, double cost, double exploitCostPerUser)
    {
        if (candidates == 0 || bestK < candidates) return;
        var ci = CultureInfo.InvariantCulture;
        if (exploitCostPerUser <= 0)
            warnings.Add(string.Create(ci, $"the expected incremental cost per treated user is not positive ({exploitCostPerUser:G4}): the budget does not limit the campaign, every candidate is treated (expected cost {cost:G6}, budget {budget:G6})."));
        else if (budget - cost > 1e-9 * Math.Max(1, Math.Abs(budget)))
            warnings.Add(string.Create(ci, $"the budget {budget:G6} cannot be spent: treating every candidate has expected cost {cost:G6}, so {budget - cost:G6} is left unspent."));
    }

    /// <summary>Value of a unit of cost spent on the top group over that of a random user (section 9's slope comparison).</summary>
    static double Ratio(Effect top, Effect all) => top.Value / top.Cost / (all.Value / all.Cost);

    /// <summary>Per-user incremental value and cost (difference of means treated − control).</summary>
    readonly record struct Effect(double Value, double Cost);

    struct Sums
    {
        double _v1, _c1, _v0, _c0; int _n1, _n0;
        public void Add(bool treated, double v, double c)
        {
            if (treated) { _v1 += v; _c1 += c; _n1++; } else { _v0 += v; _c0 += c; _n0++; }
        }
        public readonly Effect Effect() => _n1 == 0 || _n0 == 0
            ? new Effect(double.NaN, double.NaN)
            : new Effect(_v1 / _n1 - _v0 / _n0, _c1 / _n1 - _c0 / _n0);
    }

    /// <summary>Prefix sums per arm over users in score order: entry m covers the first m users.</summary>
    sealed class Prefix(int n)
    {
        public readonly int[] N1 = new int[n + 1], N0 = new int[n + 1];
        readonly double[] _v1 = new double[n + 1], _c1 = new double[n + 1], _v0 = new double[n + 1], _c0 = new double[n + 1];
        public void Add(int j, bool treated, double v, double c)
        {
            N1[j + 1] = N1[j] + (treated ? 1 : 0); N0[j + 1] = N0[j] + (treated ? 0 : 1);
            _v1[j + 1] = _v1[j] + (treated ? v : 0); _c1[j + 1] = _c1[j] + (treated ? c : 0);
            _v0[j + 1] = _v0[j] + (treated ? 0 : v); _c0[j + 1] = _c0[j] + (treated ? 0 : c);
        }
        /// <summary>Difference of means over the first m users (section 9: ATE of the top group).</summary>
        public Effect Effect(int m) => new(_v1[m] / N1[m] - _v0[m] / N0[m], _c1[m] / N1[m] - _c0[m] / N0[m]);
    }

    /// <summary>Number of entries of <paramref name="descending"/> that are &gt;= <paramref name="x"/>.</summary>
    static int CountAtLeast(double[] descending, double x)
    {
        int lo = 0, hi = descending.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (descending[mid] >= x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The candidates' scores, highest first.</summary>
    static double[] Descending(ReadOnlySpan<double> scores)
    {
        var d = scores.ToArray();
        Array.Sort(d);
        Array.Reverse(d);
        return d;
    }

    /// <summary>Expected treated users of the explore group; refused when their expected cost alone is above the budget.</summary>
    static double ExploreUsers(int candidates, Effect all, PlanOptions options)
    {
        double users = candidates * options.Explore * options.ExploreTreated;
        double cost = users * all.Cost;
        if (cost > options.Budget)
            throw new UpliftOptionException("budget", string.Create(CultureInfo.InvariantCulture,
                $"the explore treatment alone has expected cost {cost:G6}, above the budget {options.Budget:G6}; lower the explore share or raise the budget."));
        return users;
    }

    static void CheckFinite(ReadOnlySpan<double> a, string what)
    {
        for (int i = 0; i < a.Length; i++)
            if (!double.IsFinite(a[i])) throw new UpliftDataException($"{what} is {a[i]}; it must be finite.", row: i + 1);
    }
}
