using System.Text.Json.Nodes;
using Uplift.IO;

namespace Uplift.Models.MultiArm;

/// <summary>
/// A monotone map from one arm's head score to that arm's effects (tau_v,k, tau_c,k) (METHOD.md section 10, "Decision":
/// "map each head's score to (tau_v,k, tau_c,k) by a monotone calibration on validation users (cohort effects by score
/// quantile)"). Fitted on the users of arm k (T = 1 here) and control (T = 0), scored by the head:
/// <list type="number">
/// <item>the users are sorted by score and cut into <see cref="DefaultBins"/> bins of equal size (a cut never splits
/// users of equal score);</item>
/// <item>adjacent bins are merged, from the lowest score up, until each holds at least <see cref="MinPerGroup"/> treated
/// and <see cref="MinPerGroup"/> control users (a short last bin joins the one before);</item>
/// <item>each bin's effects are its cohort effects, the difference of the arm's and control's means of V and of C
/// (METHOD.md section 2 with equal weights);</item>
/// <item>pool-adjacent-violators on the guarded ratio (<see cref="EffectRatio.Guarded(double, double, double)"/>): while a
/// bin's ratio is above the next bin's, the two are pooled into one bin (its users together, its effects recomputed as
/// the difference of means of the union, not an average of the two), so the ratio is non-decreasing in the score,
/// which is the head's promise (a higher score = a better buy). Pooling users rather than averaging ratios keeps each
/// bin's (tau_v, tau_c) a real cohort effect, which the budget path sums;</item>
/// <item>a score maps to the effects of the bin centres (mean score of a bin's users) by linear interpolation of each
/// effect between the two centres around it, and to the end bin's effects beyond the first and last centre.</item>
/// </list>
/// The ratio is non-decreasing at the centres; between two centres it stays between their ratios wherever tau_c keeps
/// its sign (a ratio of two linear functions is monotone), so the map is monotone except across a sign change of tau_c.
/// Outcome weights are not used (every user counts once), as in the cost curve of section 6.
/// </summary>
public sealed class ScoreCalibration
{
    /// <summary>Score quantile bins before merging: 10, the cost curve's default number of segments (METHOD.md section 6).</summary>
    public const int DefaultBins = 10;
    /// <summary>The fewest treated, and the fewest control, users of a bin: 20. An arm (or control) with fewer users in the
    /// calibration data cannot be calibrated (<see cref="Fit"/> throws).</summary>
    public const int MinPerGroup = 20;

    readonly double[] _centres, _tauV, _tauC;
    readonly int[] _treated, _control;

    ScoreCalibration(double[] centres, double[] tauV, double[] tauC, int[] treated, int[] control)
    {
        _centres = centres; _tauV = tauV; _tauC = tauC; _treated = treated; _control = control;
    }

    /// <summary>The bin centres (mean score of each bin's users), strictly increasing.</summary>
    public IReadOnlyList<double> Centres => _centres;
    /// <summary>The cohort value effect of each bin.</summary>
    public IReadOnlyList<double> TauV => _tauV;
    /// <summary>The cohort cost effect of each bin.</summary>
    public IReadOnlyList<double> TauC => _tauC;
    /// <summary>Treated (arm) users of each bin.</summary>
    public IReadOnlyList<int> Treated => _treated;
    /// <summary>Control users of each bin.</summary>
    public IReadOnlyList<int> Control => _control;
    public int Bins => _centres.Length;

    /// <summary>Per-bin sums of one pooled group of users.</summary>
    struct Bin
    {
        public int Treated, Control;
        public double ScoreSum, VT, VC, CT, CC;
        public readonly double TauV => VT / Treated - VC / Control;
        public readonly double TauC => CT / Treated - CC / Control;
        public readonly double Ratio => EffectRatio.Guarded(TauV, TauC);
        public readonly bool Enough(int min) => Treated >= min && Control >= min;
        public void Add(in Bin o)
        {
            Treated += o.Treated; Control += o.Control; ScoreSum += o.ScoreSum;
            VT += o.VT; VC += o.VC; CT += o.CT; CC += o.CC;
        }
    }

    /// <summary>
    /// Fits the map on users with head scores <paramref name="scores"/>, treatment <paramref name="t"/> (1 = the arm,
    /// 0 = control) and outcomes <paramref name="v"/>, <paramref name="c"/>. <paramref name="what"/> names the arm in
    /// messages ("drm: arm 2"). Throws <see cref="UpliftDataException"/> when the arm or control has fewer than
    /// <paramref name="minPerGroup"/> users, or a score is not finite.
    /// </summary>
    public static ScoreCalibration Fit(ReadOnlySpan<double> scores, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        string what, int bins = DefaultBins, int minPerGroup = MinPerGroup)
    {
        int n = scores.Length;
        if (t.Length != n || v.Length != n || c.Length != n) throw new ArgumentException("scores, t, v and c must have the same length.");
        if (bins < 1) throw new UpliftOptionException("calibration bins", $"must be at least 1, got {bins}.");
        if (minPerGroup < 1) throw new UpliftOptionException("calibration minimum", $"must be at least 1, got {minPerGroup}.");
        int treated = 0;
        for (int i = 0; i < n; i++)
        {
            if (t[i] > 1) throw new ArgumentException($"t must be 0 (control) or 1 (the arm), got {t[i]} at {i}.");
            if (!double.IsFinite(scores[i])) throw new UpliftDataException($"{what}: the head's score of user {i} is {scores[i]}; a calibration needs finite scores.");
            treated += t[i];
        }
        int control = n - treated;
        if (treated < minPerGroup || control < minPerGroup)
            throw new UpliftDataException(
                $"{what}: the calibration data has {treated} users of the arm and {control} control users; calibrating the score " +
                $"to effects needs at least {minPerGroup} of each (give a larger validation set, or more users of the arm).");

        // Sort by score, ties by position (deterministic).
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var keys = scores.ToArray();
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));

        // 1. quantile bins, cut only between different scores; 2. merged until each has enough of both groups.
        var merged = new List<Bin>();
        var current = new Bin();
        int start = 0;
        for (int b = 0; b < bins && start < n; b++)
        {
            int end = b == bins - 1 ? n : Math.Max(start + 1, (int)((long)n * (b + 1) / bins));
            while (end < n && keys[order[end]] == keys[order[end - 1]]) end++;
            for (int q = start; q < end; q++)
            {
                int i = order[q];
                current.ScoreSum += keys[i];
                if (t[i] == 1) { current.Treated++; current.VT += v[i]; current.CT += c[i]; }
                else { current.Control++; current.VC += v[i]; current.CC += c[i]; }
            }
            start = end;
            if (current.Enough(minPerGroup)) { merged.Add(current); current = new Bin(); }
        }
        if (current.Treated + current.Control > 0)
        {
            if (merged.Count == 0) merged.Add(current);
            else { var last = merged[^1]; last.Add(current); merged[^1] = last; }
        }

        // 4. pool adjacent violators of a non-decreasing guarded ratio.
        var stack = new List<Bin>();
        foreach (var bin in merged)
        {
            stack.Add(bin);
            while (stack.Count > 1 && stack[^2].Ratio > stack[^1].Ratio)
            {
                var top = stack[^1];
                stack.RemoveAt(stack.Count - 1);
                var below = stack[^1];
                below.Add(top);
                stack[^1] = below;
            }
        }

        int m = stack.Count;
        var centres = new double[m]; var tv = new double[m]; var tc = new double[m];
        var nt = new int[m]; var nc = new int[m];
        for (int b = 0; b < m; b++)
        {
            var bin = stack[b];
            centres[b] = bin.ScoreSum / (bin.Treated + bin.Control);
            tv[b] = bin.TauV; tc[b] = bin.TauC; nt[b] = bin.Treated; nc[b] = bin.Control;
        }
        return new ScoreCalibration(centres, tv, tc, nt, nc);
    }

    /// <summary>The calibrated (tau_v, tau_c) of a head score: linear between bin centres, the end bins' beyond them.</summary>
    public (double TauV, double TauC) Map(double score)
    {
        int m = _centres.Length;
        if (double.IsNaN(score)) return (double.NaN, double.NaN);
        if (score <= _centres[0]) return (_tauV[0], _tauC[0]);
        if (score >= _centres[m - 1]) return (_tauV[m - 1], _tauC[m - 1]);
        int hi = Array.BinarySearch(_centres, score);
        if (hi >= 0) return (_tauV[hi], _tauC[hi]);
        hi = ~hi; // first centre above the score; 1 <= hi <= m - 1
        int lo = hi - 1;
        double w = (score - _centres[lo]) / (_centres[hi] - _centres[lo]);
        return (_tauV[lo] + w * (_tauV[hi] - _tauV[lo]), _tauC[lo] + w * (_tauC[hi] - _tauC[lo]));
    }

    /// <summary>Element-wise <see cref="Map(double)"/>.</summary>
    public void Map(ReadOnlySpan<double> scores, Span<double> tauV, Span<double> tauC)
    {
        if (tauV.Length != scores.Length || tauC.Length != scores.Length) throw new ArgumentException("scores, tauV and tauC must have the same length.");
        for (int i = 0; i < scores.Length; i++) (tauV[i], tauC[i]) = Map(scores[i]);
    }

    public JsonObject ToJson() => new()
    {
        ["score"] = Numbers(_centres),
        ["tau_v"] = Numbers(_tauV),
        ["tau_c"] = Numbers(_tauC),
        ["treated"] = new JsonArray([.. _treated.Select(x => (JsonNode?)x)]),
        ["control"] = new JsonArray([.. _control.Select(x => (JsonNode?)x)]),
    };

    static JsonArray Numbers(double[] a) => new([.. a.Select(x => (JsonNode?)x)]);

    /// <summary>Reads a table written by <see cref="ToJson"/>: at least one bin, centres strictly increasing, counts positive.</summary>
    internal static ScoreCalibration Load(ModelJson o)
    {
        int m = o.Array("score").Length;
        if (m < 1) throw o.Error("score", "must hold at least one bin centre");
        var centres = o.Doubles("score", m);
        for (int b = 1; b < m; b++)
            if (!(centres[b] > centres[b - 1])) throw o.Error("score", $"must be strictly increasing (entry {b})");
        var tv = o.Doubles("tau_v", m, "one per bin");
        var tc = o.Doubles("tau_c", m, "one per bin");
        var nt = o.Ints("treated", m, "one per bin", 1);
        var nc = o.Ints("control", m, "one per bin", 1);
        return new ScoreCalibration(centres, tv, tc, nt, nc);
    }
}
