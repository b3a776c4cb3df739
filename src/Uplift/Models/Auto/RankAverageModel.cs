using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.IO;

namespace Uplift.Models.Auto;

/// <summary>
/// The rank average of several fitted models: each member's score is mapped to its rank among the member's scores of
/// reference users (the tuning half of the validation users), in [0, 1], by linear interpolation between stored
/// order statistics (tied values get their middle rank), and the ranks are averaged. Per user, so a user's score does
/// not depend on the other users scored with it (the streaming scorer's chunks agree). Only scores (no effects).
/// </summary>
public sealed class RankAverageModel : IUpliftModel
{
    /// <summary>The model kind inside an auto model file.</summary>
    public const string KindName = "rank-average";
    /// <summary>At most this many order statistics of the reference scores are stored per member.</summary>
    public const int MaxReferencePoints = 2049;

    readonly IUpliftModel[] _members;
    readonly double[][] _reference;

    RankAverageModel(IUpliftModel[] members, double[][] reference)
    {
        _members = members; _reference = reference;
    }

    public string Kind => KindName;
    public int Features => _members[0].Features;
    /// <summary>The averaged models.</summary>
    public IReadOnlyList<IUpliftModel> Members => _members;

    /// <summary>The rank average of <paramref name="members"/>, ranks taken among their scores of <paramref name="reference"/>.</summary>
    public static RankAverageModel Create(IReadOnlyList<IUpliftModel> members, Dataset reference, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(reference);
        if (members.Count < 2) throw new ArgumentException("a rank average needs at least two models.", nameof(members));
        if (reference.Rows < 2) throw new UpliftDataException($"{KindName}: needs at least 2 reference users, got {reference.Rows}.");
        var refs = new double[members.Count][];
        for (int m = 0; m < refs.Length; m++)
        {
            var s = members[m].Score(reference, maxThreads);
            Array.Sort(s);
            refs[m] = OrderStatistics(s);
        }
        return new RankAverageModel([.. members], refs);
    }

    /// <summary>At most <see cref="MaxReferencePoints"/> evenly spaced order statistics of sorted <paramref name="s"/>, first and last included.</summary>
    static double[] OrderStatistics(double[] s)
    {
        if (s.Length <= MaxReferencePoints) return s;
        var q = new double[MaxReferencePoints];
        for (int j = 0; j < q.Length; j++) q[j] = s[(int)((long)j * (s.Length - 1) / (q.Length - 1))];
        return q;
    }

    /// <summary>The rank in [0, 1] of <paramref name="x"/> among sorted <paramref name="q"/>.</summary>
    internal static double Rank(double[] q, double x)
    {
        int m = q.Length;
        if (x < q[0]) return 0;
        if (x > q[m - 1]) return 1;
        int lo = LowerBound(q, x), hi = UpperBound(q, x);
        if (hi > lo) return (lo + hi - 1) / 2.0 / (m - 1);                      // x equals q[lo..hi-1]: the middle rank
        return (lo - 1 + (x - q[lo - 1]) / (q[lo] - q[lo - 1])) / (m - 1);     // strictly between q[lo-1] and q[lo]
    }

    static int LowerBound(double[] q, double x)
    {
        int a = 0, b = q.Length;
        while (a < b) { int mid = (a + b) >>> 1; if (q[mid] < x) a = mid + 1; else b = mid; }
        return a;
    }

    static int UpperBound(double[] q, double x)
    {
        int a = 0, b = q.Length;
        while (a < b) { int mid = (a + b) >>> 1; if (q[mid] <= x) a = mid + 1; else b = mid; }
        return a;
    }

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    public void Score(Dataset data, Span<double> scores, int? maxThreads)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (scores.Length != data.Rows) throw new ArgumentException($"expected {data.Rows} scores, got {scores.Length}.", nameof(scores));
        scores.Clear();
        for (int m = 0; m < _members.Length; m++)
        {
            var s = _members[m].Score(data, maxThreads);
            var q = _reference[m];
            for (int i = 0; i < s.Length; i++) scores[i] += Rank(q, s[i]);
        }
        for (int i = 0; i < scores.Length; i++) scores[i] /= _members.Length;
    }

    public JsonObject Save() => new()
    {
        ["kind"] = KindName,
        ["features"] = Features,
        ["members"] = new JsonArray([.. _members.Select((m, i) => (JsonNode)new JsonObject
        {
            ["model"] = m.Save(),
            ["reference"] = new JsonArray([.. _reference[i].Select(v => (JsonNode)v)]),
        })]),
    };

    /// <summary>Reads a rank average written by <see cref="Save"/>; each member by <paramref name="loadMember"/>.</summary>
    internal static RankAverageModel Load(ModelJson o, Func<ModelJson, IUpliftModel> loadMember)
    {
        o.Choice("kind", KindName);
        int features = o.Int("features", 1, int.MaxValue);
        var list = o.Array("members");
        if (list.Length is < 2 or > 8) throw list.Error($"must hold 2 to 8 models, got {list.Length}");
        var members = new IUpliftModel[list.Length];
        var refs = new double[list.Length][];
        for (int i = 0; i < members.Length; i++)
        {
            var item = list.Item(i);
            members[i] = loadMember(item.Object("model"));
            if (members[i].Features != features) throw item.Error("model", $"takes {members[i].Features} features, the rank average {features}");
            var q = item.Doubles("reference");
            if (q.Length is < 2 or > MaxReferencePoints) throw item.Error("reference", $"must hold 2 to {MaxReferencePoints} numbers, got {q.Length}");
            for (int j = 1; j < q.Length; j++)
                if (!(q[j] >= q[j - 1])) throw item.Error("reference", $"must be sorted ascending (entry {j})");
            refs[i] = q;
        }
        return new RankAverageModel(members, refs);
    }
}
