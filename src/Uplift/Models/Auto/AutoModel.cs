using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.IO;

namespace Uplift.Models.Auto;

/// <summary>One candidate of an auto fit as recorded: its name, learner, settings, AUCC on the tuning and the judging
/// half of the validation users, and fit seconds (null AUCCs: it did not run, the time limit was spent before it started,
/// or <paramref name="Stopped"/>: it was stopped when the limit was reached, after <paramref name="Seconds"/>). The model
/// file's model section holds no seconds (it is the same for the same candidates); <c>train</c> writes them in its metrics.</summary>
public sealed record AutoCandidateResult(string Name, string Kind, string Settings, double? TuneAucc, double? JudgeAucc, double? Seconds,
    bool Stopped = false)
{
    /// <summary>False when the time limit was spent before the candidate could start or finish.</summary>
    public bool Ran => JudgeAucc is not null;
}

/// <summary>
/// The model an auto fit returns: the chosen model (it scores, and estimates effects when the chosen one does:
/// <see cref="AutoEffectModel"/>), with the record of the choice: every candidate in order, its settings, its AUCC on
/// both halves of the validation users (or that it was skipped) and the time limit. Saved as kind "auto" holding the
/// chosen model's own section; loading it gives the same chosen model (its kind's loader) and the same record.
/// </summary>
public class AutoModel : IUpliftModel
{
    private protected AutoModel(IUpliftModel chosen, string chosenName, IReadOnlyList<AutoCandidateResult> candidates, double timeLimit)
    {
        Chosen = chosen; ChosenName = chosenName; Candidates = candidates; TimeLimitSeconds = timeLimit;
    }

    /// <summary>The auto model of <paramref name="chosen"/>: an <see cref="AutoEffectModel"/> when it estimates effects.</summary>
    public static AutoModel Create(IUpliftModel chosen, string chosenName, IReadOnlyList<AutoCandidateResult> candidates, double timeLimit)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(candidates);
        if (chosen is AutoModel) throw new ArgumentException("the chosen model is itself an auto model.", nameof(chosen));
        if (!candidates.Any(c => c.Name == chosenName && c.Ran))
            throw new ArgumentException($"'{chosenName}' is not a candidate that ran.", nameof(chosenName));
        return chosen is IEffectModel e ? new AutoEffectModel(e, chosenName, candidates, timeLimit) : new AutoModel(chosen, chosenName, candidates, timeLimit);
    }

    /// <summary>The learner name: "auto".</summary>
    public string Kind => AutoRegistration.Name;
    public int Features => Chosen.Features;
    /// <summary>The chosen model (its own kind: drm, causal-forest, rank-average, ...).</summary>
    public IUpliftModel Chosen { get; }
    /// <summary>The chosen candidate's name (one of <see cref="AutoCandidates.Names"/> or <see cref="AutoCandidates.EnsembleName"/>).</summary>
    public string ChosenName { get; }
    /// <summary>Every candidate, in the order they ran (skipped ones last among the fitted), then the rank average.</summary>
    public IReadOnlyList<AutoCandidateResult> Candidates { get; }
    /// <summary>The time limit of the fit in seconds (0 = none).</summary>
    public double TimeLimitSeconds { get; }

    public void Score(Dataset data, Span<double> scores) => Chosen.Score(data, scores);
    public void Score(Dataset data, Span<double> scores, int? maxThreads) => Chosen.Score(data, scores, maxThreads);

    public JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["features"] = Features,
        ["time_limit_seconds"] = TimeLimitSeconds,
        ["chosen"] = ChosenName,
        ["candidates"] = new JsonArray([.. Candidates.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name, ["kind"] = c.Kind, ["settings"] = c.Settings,
            ["tune_aucc"] = c.TuneAucc, ["judge_aucc"] = c.JudgeAucc, ["stopped"] = c.Stopped,
        })]),
        ["model"] = Chosen.Save(),
    };

    /// <summary>Reads the "model" section of an auto model file: the record is checked (names once each, the chosen one
    /// ran, a skipped one has no AUCC) and the chosen model read by its kind's loader.</summary>
    internal static AutoModel Load(ModelJson o)
    {
        o.Choice("kind", AutoRegistration.Name);
        int features = o.Int("features", 1, int.MaxValue);
        double limit = o.Double("time_limit_seconds", 0, 1e7);
        string chosenName = o.String("chosen");
        var list = o.Array("candidates");
        if (list.Length is < 1 or > 64) throw list.Error($"must hold 1 to 64 candidates, got {list.Length}");
        var candidates = new List<AutoCandidateResult>();
        foreach (var c in list.Items())
        {
            string name = c.String("name");
            if (candidates.Any(x => x.Name == name)) throw c.Error("name", $"'{ModelJson.Clip(name, 60)}' appears twice");
            double? tune = Nullable(c, "tune_aucc"), judge = Nullable(c, "judge_aucc");
            if ((tune is null) != (judge is null)) throw c.Error("tune_aucc and judge_aucc must both be numbers (ran) or both null (skipped)");
            bool stopped = c.Optional("stopped") is not null && c.Bool("stopped");
            if (stopped && tune is not null) throw c.Error("stopped", "is true for a candidate with AUCCs (a stopped candidate has none)");
            candidates.Add(new AutoCandidateResult(name, c.String("kind"), c.String("settings"), tune, judge, null, stopped));
        }
        if (!candidates.Any(c => c.Name == chosenName && c.Ran))
            throw o.Error("chosen", $"'{ModelJson.Clip(chosenName, 60)}' is not a candidate that ran");
        var inner = o.Object("model");
        var chosen = LoadChosen(inner);
        if (chosen.Features != features) throw o.Error("model", $"takes {chosen.Features} features, the auto model {features}");
        return Create(chosen, chosenName, candidates, limit);
    }

    static double? Nullable(ModelJson o, string key) =>
        o.Optional(key) is { } v && v.Element.ValueKind != System.Text.Json.JsonValueKind.Null ? v.AsDouble() : null;

    /// <summary>A chosen model: a rank average or a catalog learner's model (never another auto model).</summary>
    static IUpliftModel LoadChosen(ModelJson m)
    {
        string kind = m.String("kind");
        if (kind == RankAverageModel.KindName) return RankAverageModel.Load(m, LoadMember);
        return LoadMember(m);
    }

    static IUpliftModel LoadMember(ModelJson m)
    {
        string kind = m.String("kind");
        if (kind == AutoRegistration.Name) throw m.Error("kind", "is 'auto' inside an auto model");
        return LearnerCatalog.Load(kind, m);
    }
}

/// <summary>An <see cref="AutoModel"/> whose chosen model estimates tau_v and tau_c (tlearner, rlearner on both outcomes, causal-forest).</summary>
public sealed class AutoEffectModel : AutoModel, IEffectModel
{
    readonly IEffectModel _effects;

    internal AutoEffectModel(IEffectModel chosen, string chosenName, IReadOnlyList<AutoCandidateResult> candidates, double timeLimit)
        : base(chosen, chosenName, candidates, timeLimit) => _effects = chosen;

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC) => _effects.PredictEffects(data, tauV, tauC);
    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads) => _effects.PredictEffects(data, tauV, tauC, maxThreads);
}
