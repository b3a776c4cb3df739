namespace Uplift.Evaluation;

/// <summary>Which weighting of the TOC curve the RATE integrates (grf's <c>target</c>).</summary>
public enum RateTarget
{
    /// <summary>AUTOC: ∫₀¹ TOC(q) dq, uniform weight (grf's default).</summary>
    Autoc,
    /// <summary>QINI: ∫₀¹ q · TOC(q) dq, more weight on large targeted shares.</summary>
    Qini,
}

/// <summary>A RATE estimate with its bootstrap standard error (NaN without replicates) and 95 % normal interval.</summary>
public sealed record RateEstimate(RateTarget Target, double Estimate, double Se, double Lower, double Upper, int Replicates)
{
    internal static RateEstimate Of(RateTarget target, double est, double[] reps)
    {
        double se = reps.Length >= 2 ? Stats.SampleSd(reps) : double.NaN;
        return new RateEstimate(target, est, se, est - Normal.Z975 * se, est + Normal.Z975 * se, reps.Length);
    }
}

/// <summary>Two rankings' RATE on the same resamples, and their difference A − B with its paired standard error.</summary>
public sealed record RateComparison(RateEstimate A, RateEstimate B, RateEstimate Difference);

/// <summary>Options of <see cref="Rate"/>.</summary>
public sealed record RateOptions
{
    /// <summary>Target. Default <see cref="RateTarget.Autoc"/>.</summary>
    public RateTarget Target { get; init; } = RateTarget.Autoc;
    /// <summary>Bootstrap replicates of the standard error (users resampled with replacement, as grf). Default 200;
    /// 0 = no standard error; else 2 to 100,000.</summary>
    public int Replicates { get; init; } = 200;
    /// <summary>Seed of the resamples; replicate r draws from <c>Rng.Derive(Seed, RngStream.RateBootstrap, r)</c>. Default 1.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Cap on worker threads (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    public static RateOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(Target), "rate-target", $"unknown value {Target}.");
        UpliftOptionException.Check(Replicates == 0 || Replicates is >= 2 and <= 100_000, "replicates", $"must be 0 or between 2 and 100000, got {Replicates}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
    }
}

/// <summary>
/// The rank-weighted average treatment effect (RATE) of Yadlowsky, Fleming, Shah, Brunskill and Wager (2021,
/// "Evaluating treatment prioritization rules via rank-weighted average treatment effects"), as grf's
/// <c>rank_average_treatment_effect</c> computes it (METHOD.md section 11). With users sorted by score (descending)
/// and doubly robust scores Γ (<see cref="DrScores"/>): TOC(j) = mean Γ over the top j − mean Γ over all users
/// (j = 1..N), AUTOC = (1/N) Σ_j TOC(j), QINI = (1/N²) Σ_j j · TOC(j). Tied scores share their block's mean Γ (grf's
/// rule; the same as the cost curve's fractional ties). 0 for a ranking unrelated to the effect; positive when it puts
/// large effects first. Here, on the DR scores of V it is the value gain of prioritising by the ranking (in units of V);
/// on C it measures how much the ranking front-loads cost (a cost-aware ranking's cost RATE may be low or negative).
/// The standard error is a seeded bootstrap of users (grf uses a half-sample bootstrap; both estimate the same
/// sampling spread); <see cref="Compare"/> resamples the same users for both rankings, so the difference's standard
/// error is paired.
/// </summary>
public static class Rate
{
    /// <summary>The RATE of <paramref name="score"/> on doubly robust scores <paramref name="gamma"/>.</summary>
    public static RateEstimate Compute(ReadOnlySpan<double> score, ReadOnlySpan<double> gamma, RateOptions? options = null)
    {
        options ??= RateOptions.Default;
        options.Validate();
        var r = Ranking.Of(score, gamma);
        double est = r.Value(null, gamma, options.Target);
        var reps = Replicates(options, gamma.Length, [r], gamma.ToArray());
        return RateEstimate.Of(options.Target, est, reps[0]);
    }

    /// <summary>The RATE of two rankings on the same bootstrap resamples and the paired difference A − B.</summary>
    public static RateComparison Compare(ReadOnlySpan<double> scoreA, ReadOnlySpan<double> scoreB, ReadOnlySpan<double> gamma, RateOptions? options = null)
    {
        options ??= RateOptions.Default;
        options.Validate();
        var ra = Ranking.Of(scoreA, gamma); var rb = Ranking.Of(scoreB, gamma);
        double ea = ra.Value(null, gamma, options.Target), eb = rb.Value(null, gamma, options.Target);
        var reps = Replicates(options, gamma.Length, [ra, rb], gamma.ToArray());
        var diff = new double[reps[0].Length];
        for (int i = 0; i < diff.Length; i++) diff[i] = reps[0][i] - reps[1][i];
        return new RateComparison(RateEstimate.Of(options.Target, ea, reps[0]), RateEstimate.Of(options.Target, eb, reps[1]),
            RateEstimate.Of(options.Target, ea - eb, diff));
    }

    static double[][] Replicates(RateOptions o, int n, Ranking[] rankings, double[] gamma)
    {
        var values = rankings.Select(_ => new double[o.Replicates]).ToArray();
        if (o.Replicates == 0) return values;
        var po = new ParallelOptions { MaxDegreeOfParallelism = o.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, o.Replicates, po, () => new int[n], (r, _, counts) =>
        {
            Array.Clear(counts);
            var rng = Rng.Derive(o.Seed, RngStream.RateBootstrap, r);
            for (int j = 0; j < n; j++) counts[rng.NextInt(n)]++;
            for (int s = 0; s < rankings.Length; s++) values[s][r] = rankings[s].Value(counts, gamma, o.Target);
            return counts;
        }, _ => { });
        return values;
    }

    /// <summary>One ranking: the users in score order (descending) and the blocks of equal scores.</summary>
    sealed class Ranking(int[] order, int[] blockStart)
    {
        public static Ranking Of(ReadOnlySpan<double> score, ReadOnlySpan<double> gamma)
        {
            int n = score.Length;
            if (gamma.Length != n) throw new UpliftDataException($"{n} scores for {gamma.Length} doubly robust scores.");
            if (n == 0) throw new UpliftDataException("the RATE needs at least one user.");
            var keys = new double[n]; var order = new int[n];
            for (int i = 0; i < n; i++)
            {
                if (double.IsNaN(score[i])) throw new UpliftDataException("the score is NaN; every user needs a score to be ranked.", row: i + 1, column: "score");
                if (!double.IsFinite(gamma[i])) throw new UpliftDataException($"the doubly robust score is {gamma[i]}.", row: i + 1, column: "gamma");
                keys[i] = -score[i]; order[i] = i;
            }
            keys.AsSpan().Sort(order.AsSpan());
            var starts = new List<int>();
            for (int p = 0; p < n; p++) if (p == 0 || keys[p] != keys[p - 1]) starts.Add(p);
            starts.Add(n);
            return new Ranking(order, [.. starts]);
        }

        /// <summary>The RATE with each user counted <paramref name="counts"/>[i] times (null = once).</summary>
        public double Value(int[]? counts, ReadOnlySpan<double> gamma, RateTarget target)
        {
            double total = 0, totalW = 0;
            for (int p = 0; p < order.Length; p++)
            {
                int i = order[p]; double w = counts is null ? 1 : counts[i];
                total += w * gamma[i]; totalW += w;
            }
            double ate = total / totalW;
            double cum = 0, sum = 0; long j = 0;
            for (int b = 0; b + 1 < blockStart.Length; b++)
            {
                double g = 0, w = 0;
                for (int p = blockStart[b]; p < blockStart[b + 1]; p++)
                {
                    int i = order[p]; double c = counts is null ? 1 : counts[i];
                    g += c * gamma[i]; w += c;
                }
                if (w == 0) continue;
                double avg = g / w;
                for (int m = 0; m < (int)w; m++)
                {
                    j++; cum += avg;
                    double toc = cum / j - ate;
                    sum += target == RateTarget.Autoc ? toc : j * toc;
                }
            }
            return target == RateTarget.Autoc ? sum / totalW : sum / (totalW * totalW);
        }
    }
}
