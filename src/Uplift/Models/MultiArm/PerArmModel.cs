using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.IO;

namespace Uplift.Models.MultiArm;

/// <summary>
/// A model of a campaign with K &gt; 1 arms made of K binary heads, head k fitted on arm k's users against control
/// (<see cref="PerArmLearner"/>, METHOD.md section 10). Arm k's effects are the head's own (tau_v, tau_c) when it is an
/// <see cref="IEffectModel"/>, else its score mapped by the arm's <see cref="ScoreCalibration"/>.
/// <para><see cref="Score(Dataset, Span{double}, int?)"/> is the slope of the user's best upgrade: the largest guarded ratio
/// <see cref="EffectRatio.Guarded(double, double, double)"/> of (tau_v,k, tau_c,k) over the arms, i.e. the first segment of
/// the user's upper convex hull from (0, 0) in section 10 (arms that lower cost with tau_v &gt; 0 first, arms with
/// tau_v &lt;= 0 last); with one arm it would be the binary ranking of section 5.</para>
/// <para>Model-file JSON: <c>{ "kind", "features", "arms": K, "heads": [ head k's own Save() ], "calibration": [ null for an
/// effect head | <see cref="ScoreCalibration.ToJson"/> ] }</c>; the kind's registration recognises it by "arms" and loads
/// each head with its own loader (<see cref="Load"/>).</para>
/// </summary>
public sealed class PerArmModel : IMultiArmModel
{
    /// <summary>The most arms a model holds: a treatment is a byte (0 = control, 1..255), <see cref="Dataset.T"/>.</summary>
    public const int MaxArms = byte.MaxValue;

    readonly IUpliftModel[] _heads;
    readonly ScoreCalibration?[] _calibrations;

    /// <summary>A model of <c>heads.Count</c> arms; <paramref name="calibrations"/>[k] is null exactly when head k is an <see cref="IEffectModel"/>.</summary>
    public PerArmModel(IReadOnlyList<IUpliftModel> heads, IReadOnlyList<ScoreCalibration?> calibrations)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(calibrations);
        if (heads.Count < 2 || heads.Count > MaxArms) throw new ArgumentException($"a per-arm model has 2..{MaxArms} heads, got {heads.Count}.", nameof(heads));
        if (calibrations.Count != heads.Count) throw new ArgumentException("one calibration (or null) per head.", nameof(calibrations));
        for (int k = 0; k < heads.Count; k++)
        {
            if (heads[k].Kind != heads[0].Kind || heads[k].Features != heads[0].Features)
                throw new ArgumentException($"head {k + 1} is a {heads[k].Kind} of {heads[k].Features} features, head 1 a {heads[0].Kind} of {heads[0].Features}.");
            if ((heads[k] is IEffectModel) != (calibrations[k] is null))
                throw new ArgumentException($"head {k + 1}: a calibration is given exactly for a head that only scores.");
        }
        _heads = [.. heads];
        _calibrations = [.. calibrations];
    }

    public string Kind => _heads[0].Kind;
    public int Features => _heads[0].Features;
    public int Arms => _heads.Length;
    /// <summary>The binary head of each arm (index k - 1 for arm k).</summary>
    public IReadOnlyList<IUpliftModel> Heads => _heads;
    /// <summary>The calibration of each arm's head, null for an effect head.</summary>
    public IReadOnlyList<ScoreCalibration?> Calibrations => _calibrations;

    public void PredictArmEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Rows, k = Arms;
        if (tauV.Length != (long)n * k || tauC.Length != (long)n * k)
            throw new ArgumentException($"tauV and tauC must hold rows x arms = {n} x {k} values.");
        var v = new double[n]; var c = new double[n]; var s = new double[n];
        for (int a = 0; a < k; a++)
        {
            if (_heads[a] is IEffectModel e) e.PredictEffects(data, v, c, maxThreads);
            else
            {
                _heads[a].Score(data, s, maxThreads);
                _calibrations[a]!.Map(s, v, c);
            }
            for (int i = 0; i < n; i++) { tauV[i * k + a] = v[i]; tauC[i * k + a] = c[i]; }
        }
    }

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    /// <summary>The slope of each user's best upgrade: max over arms of the guarded ratio of (tau_v,k, tau_c,k).</summary>
    public void Score(Dataset data, Span<double> scores, int? maxThreads) => ArmScores.BestUpgradeSlope(this, data, scores, maxThreads);

    public JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["features"] = Features,
        ["arms"] = Arms,
        ["heads"] = new JsonArray([.. _heads.Select(h => (JsonNode?)h.Save())]),
        ["calibration"] = new JsonArray([.. _calibrations.Select(c => (JsonNode?)c?.ToJson())]),
    };

    /// <summary>Whether a model section is a per-arm model (it has "arms"; no binary model writes that key).</summary>
    internal static bool IsPerArm(ModelJson model) => model.IsObject && model.Has("arms");

    /// <summary>Reads a model written by <see cref="Save"/> of kind <paramref name="kind"/>, each head by <paramref name="loadHead"/>
    /// (the kind's own loader of a binary model).</summary>
    internal static PerArmModel Load(ModelJson o, string kind, Func<ModelJson, IUpliftModel> loadHead)
    {
        o.Choice("kind", kind);
        int features = o.Int("features", 1, int.MaxValue);
        int arms = o.Int("arms", 2, MaxArms);
        var heads = o.Array("heads");
        var cals = o.Array("calibration");
        if (heads.Length != arms) throw o.Error("heads", $"holds {heads.Length} heads, but arms = {arms}");
        if (cals.Length != arms) throw o.Error("calibration", $"holds {cals.Length} entries, but arms = {arms}");
        var hs = new IUpliftModel[arms];
        var cs = new ScoreCalibration?[arms];
        for (int a = 0; a < arms; a++)
        {
            var h = heads.Item(a);
            if (IsPerArm(h)) throw h.Error("must be a binary model (it has \"arms\")");
            hs[a] = loadHead(h);
            if (hs[a].Features != features) throw h.Error($"takes {hs[a].Features} features, the model {features}");
            var cj = cals.Item(a);
            bool isNull = cj.Element.ValueKind == System.Text.Json.JsonValueKind.Null;
            if (hs[a] is IEffectModel)
            {
                if (!isNull) throw cj.Error("must be null: the head estimates both effects itself");
            }
            else
            {
                if (isNull || !cj.IsObject) throw cj.Error("must be a calibration table: the head only scores");
                cs[a] = ScoreCalibration.Load(cj);
            }
        }
        return new PerArmModel(hs, cs);
    }
}
