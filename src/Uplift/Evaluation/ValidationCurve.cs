using System.Text.Json.Nodes;

namespace Uplift.Evaluation;

/// <summary>
/// One point of a <see cref="ValidationCurve"/>: the validation users ranked in the top <see cref="K"/> by the model.
/// </summary>
/// <param name="K">Prefix size k (users in the top group).</param>
/// <param name="Share">k / N, the treated share of "treat the top k" (the cost curve's perc_k).</param>
/// <param name="Cutoff">The k-th highest validation score: the top group scores at or above it.</param>
/// <param name="IncrementalValue">vpu_k − v̄0: incremental value per validation user of treating the top k (the cost
/// curve's step 3 and 4, before clipping).</param>
/// <param name="IncrementalCost">cpu_k − c̄0: incremental cost per validation user of treating the top k.</param>
/// <param name="Treated">Treated validation users scoring at or above <paramref name="Cutoff"/>.</param>
/// <param name="Control">Control validation users scoring at or above <paramref name="Cutoff"/>.</param>
public readonly record struct ValidationCurvePoint(int K, double Share, double Cutoff, double IncrementalValue, double IncrementalCost,
    int Treated, int Control)
{
    /// <summary>Incremental value per treated user of the top group (ATE_v above the cut-off).</summary>
    public double ValuePerTreated => PerTreated(IncrementalValue);

    /// <summary>Incremental cost per treated user of the top group (ATE_c above the cut-off).</summary>
    public double CostPerTreated => PerTreated(IncrementalCost);

    // Below the full-targeting share the increment is share x (treated mean - control mean) of the top group; above it
    // the cost curve uses the treated mean of the top group alone, so the increment is already per treated user.
    double PerTreated(double increment) => Share > CostCurve.FullTargetingShare ? increment : increment / Share;
}

/// <summary>
/// The cost curve of a model on its validation users, kept in the model file (<c>validationCurve</c>) so that a budget
/// can be planned without evaluation data (<c>uplift plan</c> / <c>uplift assign</c> without <c>--eval</c>).
/// <para>It is <see cref="CostCurve.Compute"/> with <see cref="DefaultPoints"/> segments (grid ending at N, fractional
/// ties, empty prefixes skipped), kept before normalisation: for each prefix k, the score cut-off and the cumulative
/// incremental value and cost per validation user of treating the top k (vpu_k − v̄0, cpu_k − c̄0), with the arm counts
/// above the cut-off. The last point is k = N (everyone), whose per-treated effects are the plain ATEs.</para>
/// <para>JSON: <c>{ "users", "treated", "k": [...], "share": [...], "cutoff": [...], "value": [...], "cost": [...],
/// "treated_above": [...], "control_above": [...] }</c>, the arrays of equal length, k increasing and ending at users.</para>
/// </summary>
public sealed class ValidationCurve
{
    /// <summary>Number of score cut-offs kept (100: one per percentile of the validation users).</summary>
    public const int DefaultPoints = 100;

    /// <summary>Largest number of points a model file may hold.</summary>
    public const int MaxPoints = 100_000;

    /// <summary>N, the validation users.</summary>
    public int Users { get; }

    /// <summary>Treated validation users.</summary>
    public int TreatedUsers { get; }

    /// <summary>The points, k increasing (cut-offs non-increasing); the last has k = <see cref="Users"/>.</summary>
    public IReadOnlyList<ValidationCurvePoint> Points { get; }

    ValidationCurve(int users, int treated, ValidationCurvePoint[] points)
    {
        Users = users;
        TreatedUsers = treated;
        Points = points;
    }

    /// <summary>The curve of <paramref name="score"/> on validation users with outcomes T, V, C (same rules and errors as
    /// <see cref="CostCurve.Compute"/>).</summary>
    public static ValidationCurve Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, int points = DefaultPoints)
    {
        UpliftOptionException.Check(points is >= 1 and <= MaxPoints, "points", $"must be between 1 and {MaxPoints}, got {points}.");
        var curve = CostCurve.Compute(score, t, v, c, new CostCurveOptions { Segments = points });
        int n = score.Length;
        // Users by score, descending, with running arm counts: the users at or above a cut-off are a prefix.
        var order = new int[n];
        var keys = new double[n];
        for (int i = 0; i < n; i++) { order[i] = i; keys[i] = -score[i]; }
        Array.Sort(keys, order);
        var n1 = new int[n + 1];
        for (int j = 0; j < n; j++) n1[j + 1] = n1[j] + t[order[j]];
        var result = new ValidationCurvePoint[curve.K.Length];
        for (int p = 0; p < result.Length; p++)
        {
            int k = curve.K[p];
            double cutoff = -keys[k - 1];
            int m = k; // every user tied with the k-th is at or above the cut-off
            while (m < n && -keys[m] == cutoff) m++;
            result[p] = new ValidationCurvePoint(k, curve.Perc[p], cutoff, curve.Vpu[p] - curve.V0, curve.Cpu[p] - curve.C0, n1[m], m - n1[m]);
        }
        return new ValidationCurve(n, n1[n], result);
    }

    /// <summary>As <see cref="Compute"/>, or null when the curve is undefined on these users (e.g. an incremental cost
    /// that is not positive): a model file then simply has no curve.</summary>
    public static ValidationCurve? TryCompute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, int points = DefaultPoints)
    {
        try { return Compute(score, t, v, c, points); }
        catch (UpliftException) { return null; }
    }

    /// <summary>The curve as JSON (see the class summary).</summary>
    public JsonObject ToJson()
    {
        JsonArray A<T>(Func<ValidationCurvePoint, T> f) => new([.. Points.Select(p => (JsonNode?)JsonValue.Create(f(p)))]);
        return new JsonObject
        {
            ["users"] = Users,
            ["treated"] = TreatedUsers,
            ["k"] = A(p => p.K),
            ["share"] = A(p => p.Share),
            ["cutoff"] = A(p => p.Cutoff),
            ["value"] = A(p => p.IncrementalValue),
            ["cost"] = A(p => p.IncrementalCost),
            ["treated_above"] = A(p => p.Treated),
            ["control_above"] = A(p => p.Control),
        };
    }

    /// <summary>Reads a curve written by <see cref="ToJson"/>; null for a missing or null node. Every field is checked
    /// (types, lengths, finite numbers, k increasing to users, cut-offs non-increasing, counts within the users); a bad one
    /// is an <see cref="UpliftDataException"/> naming <c>validationCurve.FIELD</c>.</summary>
    public static ValidationCurve? FromJson(JsonNode? node, string source = "model")
    {
        if (node is null) return null;
        const string Name = "validationCurve";
        UpliftDataException Bad(string field, string why) => new($"{Name}.{field} {why}", source);
        if (node is not JsonObject o) throw new UpliftDataException($"{Name} must be a JSON object.", source);

        int Int(JsonNode? n, string field)
        {
            if (AsNumber(n) is { } d && d == Math.Floor(d) && d is >= 0 and <= int.MaxValue) return (int)d;
            throw Bad(field, "must be a whole number >= 0.");
        }
        double Num(JsonNode? n, string field)
        {
            if (AsNumber(n) is { } d) return d;
            throw Bad(field, "must be a finite number.");
        }
        JsonArray Arr(string field)
        {
            if (o[field] is not JsonArray a) throw Bad(field, "must be an array.");
            if (a.Count is < 1 or > MaxPoints) throw Bad(field, $"must hold between 1 and {MaxPoints} entries, has {a.Count}.");
            return a;
        }

        int users = Int(o["users"], "users"), treated = Int(o["treated"], "treated");
        if (users < 2 || treated > users) throw Bad("users", $"({users}) must be at least 2 and at least 'treated' ({treated}).");
        var k = Arr("k");
        int m = k.Count;
        string[] fields = ["share", "cutoff", "value", "cost", "treated_above", "control_above"];
        var arrays = fields.ToDictionary(f => f, Arr);
        foreach (var (f, a) in arrays)
            if (a.Count != m) throw Bad(f, $"has {a.Count} entries but k has {m}.");

        var points = new ValidationCurvePoint[m];
        for (int i = 0; i < m; i++)
        {
            int ki = Int(k[i], $"k[{i}]");
            if (ki < 1 || ki > users || (i > 0 && ki <= points[i - 1].K)) throw Bad($"k[{i}]", "must increase and lie in [1, users].");
            double share = Num(arrays["share"][i], $"share[{i}]");
            if (!(share > 0 && share <= 1)) throw Bad($"share[{i}]", "must lie in (0, 1].");
            double cutoff = Num(arrays["cutoff"][i], $"cutoff[{i}]");
            if (i > 0 && cutoff > points[i - 1].Cutoff) throw Bad($"cutoff[{i}]", "must not increase.");
            int t1 = Int(arrays["treated_above"][i], $"treated_above[{i}]"), t0 = Int(arrays["control_above"][i], $"control_above[{i}]");
            if ((long)t1 + t0 > users) throw Bad($"treated_above[{i}]", "with control_above exceeds the users.");
            points[i] = new ValidationCurvePoint(ki, share, cutoff, Num(arrays["value"][i], $"value[{i}]"), Num(arrays["cost"][i], $"cost[{i}]"), t1, t0);
        }
        if (points[^1].K != users) throw Bad("k", $"must end at users ({users}), ends at {points[^1].K}.");
        return new ValidationCurve(users, treated, points);
    }

    /// <summary>A finite JSON number (parsed or built in memory), else null; strings, booleans and the rest are not numbers.</summary>
    static double? AsNumber(JsonNode? n)
    {
        if (n is not JsonValue jv || jv.GetValueKind() != System.Text.Json.JsonValueKind.Number) return null;
        double d = jv.TryGetValue(out double x) ? x
            : jv.TryGetValue(out long l) ? l
            : jv.TryGetValue(out int i) ? i
            : double.TryParse(jv.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) ? p
            : double.NaN;
        return double.IsFinite(d) ? d : null;
    }
}
