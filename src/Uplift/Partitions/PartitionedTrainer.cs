using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Models.Linear;
using Uplift.Models.MultiArm;
using Uplift.Models.Ranking;

namespace Uplift.Partitions;

/// <summary>A partitioned training's result: the model with its preprocessing, and the sizes and AUCCs it saw.</summary>
public sealed record PartitionedFit(FittedPipeline Model, int Partitions, long TrainRows, long ValidRows, long TestRows,
    double? ValidAucc, double? TestAucc);

/// <summary>
/// Trains a DRM or a CRM (METHOD.md sections 3-4) on a campaign stored as partitions (docs/CLUSTER.md), wherever the
/// partitions live: here (<see cref="LocalPartition"/>) or on the workers of a cluster (src/Uplift.Cluster). The
/// coordinator holds only the parameters, Adam's state and the merged sums; rows stay with their partition.
/// <list type="number">
/// <item>preprocessing from mergeable statistics of each partition's training rows, merged in partition order;</item>
/// <item>the outcome baseline (DrmOptions.Baseline) from the partitions' normal equations, merged, solved once;</item>
/// <item>the outcome scales from merged means and squared deviations;</item>
/// <item>the Adam loop of the one-file training (<c>RankingTrainer.Loop</c>) over <see cref="PartitionedCohort"/>,
/// snapshots judged by the validation AUCC of the validation rows of every partition (their scores are gathered).</item>
/// </list>
/// Every merge runs in partition order on exact partial sums, so the model is bit-identical whoever holds which
/// partition. Limits: binary campaigns (one arm), no propensity or weight column, and without a validation AUCC the
/// snapshots are judged by the training objective.
/// </summary>
public static class PartitionedTrainer
{
    /// <param name="job">The partition files, roles and split.</param>
    /// <param name="parts">One partition per file, in file order (here or on a cluster).</param>
    /// <param name="learner">A DRM or CRM learner (one arm).</param>
    /// <param name="context">Seed (of the initialisations) and thread cap.</param>
    /// <param name="progress">Sees each evaluation and each retry (null = none).</param>
    /// <param name="rebalance">Called every <see cref="PartitionedCohort.RebalanceEvery"/> evaluations (null = never): true
    /// when it moved partitions (to workers that joined), which are then configured again before the next step.</param>
    public static PartitionedFit Fit(PartitionJob job, IReadOnlyList<IPartition> parts, IUpliftLearner learner, FitContext context,
        PartitionProgress? progress = null, Func<bool>? rebalance = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(learner);
        job.Validate();
        if (parts.Count != job.Files.Count) throw new ArgumentException("one partition per file");
        if (learner is PerArmLearner perArm) learner = perArm.Binary;   // one arm: the binary learner itself (METHOD.md section 10)
        var (kind, o, crmOptions) = learner switch
        {
            DrmLearner drm => (drm.Kind, drm.Options, (CrmOptions?)null),
            CrmLearner c => (c.Kind, c.Options.Drm, c.Options),
            _ => throw new UpliftOptionException("--model", $"'{learner.Kind}' cannot be trained on partitioned data: only drm and crm can (docs/CLUSTER.md)"),
        };
        o.Validate();
        if (o.ArmModel == ArmModel.Gating) throw new UpliftOptionException("--arm-model", "the gating needs several arms, which partitioned data does not support yet");

        string jobJson = job.ToJson().ToJsonString();
        var configs = Enumerable.Range(0, parts.Count).Select(i => new PartitionConfig(jobJson, i)).ToArray();
        // Sends every partition its configuration (a re-created one reloads its file and redoes its stages).
        Task EnsureAll() => Task.WhenAll(parts.Select((q, i) => q.Ensure(configs[i])));
        void Restore() => EnsureAll().GetAwaiter().GetResult();
        T Stage<T>(Func<Task<T>> call) => PartitionedCohort.Retrying(() => call().GetAwaiter().GetResult(), Restore, progress);
        void Apply(Func<PartitionConfig, PartitionConfig> change)
        {
            for (int i = 0; i < configs.Length; i++) configs[i] = change(configs[i]);
            Stage(async () => { await EnsureAll(); return 0; });
        }
        // The AUCC of one part's rows at w, from the partitions' raw scores (gathered, in partition order).
        double AuccOf(PartitionSet set, float[] w, Labelled labels) => Stage(async () => Aucc(await Task.WhenAll(parts.Select(q => q.Raw(set, w))), labels));
        Apply(c => c);

        // 1. Preprocessing from merged partials.
        var partials = Stage(() => Task.WhenAll(parts.Select(q => q.Partial())))
            .Select(j => Preprocessor.Partial.FromJson(JsonNode.Parse(j)!.AsObject())).ToArray();
        var merged = Preprocessor.Merge(partials, job.Preprocess);
        var prep = Preprocessor.FromPartial(job.Roles, merged, job.Preprocess);
        int d = prep.FeatureNames.Count;
        bool baseline = o.Baseline == OutcomeBaseline.Linear && d <= DrmOptions.MaxBaselineFeatures;
        string prepJson = prep.ToJson().ToJsonString();
        Apply(c => c with { Preprocessor = prepJson, Baseline = baseline });

        // 2. Sizes and the outcome baseline from the partitions' sums.
        var stats = Stage(() => Task.WhenAll(parts.Select(q => q.PrepareStats())));
        long nTrain = 0, n1 = 0, nValid = 0, nTest = 0;
        double c1 = 0, c0 = 0;
        int p = d + 1, ne = NormalEquations.ArrayLength(p);
        var neV = new NormalEquations(p); var neC = new NormalEquations(p);
        foreach (var s in stats)
        {
            nTrain += (long)s[0]; n1 += (long)s[1]; c1 += s[2]; c0 += s[3]; nValid += (long)s[4]; nTest += (long)s[5];
            if (baseline)
            {
                neV.Add(NormalEquations.FromArray(p, s.AsSpan(6, ne)), 1.0);
                neC.Add(NormalEquations.FromArray(p, s.AsSpan(6 + ne, ne)), 1.0);
            }
        }
        long n0 = nTrain - n1;
        string? baselineJson = null;
        if (baseline)
        {
            var bv = neV.Solve(RankingTrainer.BaselineRidge);
            var bc = neC.Solve(RankingTrainer.BaselineRidge);
            baselineJson = new JsonObject
            {
                ["v"] = new LinearModel(LinearLink.Identity, bv[0], bv[1..], RankingTrainer.BaselineRidge).Save(),
                ["c"] = new LinearModel(LinearLink.Identity, bc[0], bc[1..], RankingTrainer.BaselineRidge).Save(),
            }.ToJsonString();
        }
        Apply(c => c with { BaselineModel = baselineJson });

        // 3. Outcome scales σ_V, σ_C (METHOD.md section 2) from merged means and squared deviations.
        var resid = Stage(() => Task.WhenAll(parts.Select(q => q.ResidualStats())));
        double vScale = MergedScale(resid, 1), cScale = MergedScale(resid, 3);
        // The network of one scorer, configured on every partition (each builds it from the same configuration).
        string? applied = null;
        Network Configure(DrmOptions r)
        {
            var engine = new JsonObject
            {
                ["hidden"] = new JsonArray((r.Scorer == ScorerKind.Linear ? [] : r.HiddenSizes).Select(h => (JsonNode?)h).ToArray()),
                ["vScale"] = vScale, ["cScale"] = cScale,
            };
            string engineJson = engine.ToJsonString();
            if (engineJson != applied) { Apply(c => c with { Engine = engineJson }); applied = engineJson; }
            return PartitionHost.NetworkOf(engine, d);
        }

        // 4. The Adam loop, judged by the validation AUCC.
        var valid = Gather(Stage(() => Task.WhenAll(parts.Select(q => q.Labels(PartitionSet.Valid)))));
        bool judgeAucc = o.Selection == ModelSelection.ValidationAucc && valid.Rows > 0 && Stats.DifferenceOfMeans(valid.T, valid.C) > 0;
        var json = crmOptions?.ToJson() ?? o.ToJson();
        RankingTrainer.CrmPlan? plan = null;
        if (crmOptions is not null)
        {
            double q = crmOptions.TopFraction;
            if (crmOptions.Budget is { } b)
                q = CrmOptions.BudgetFraction(b, crmOptions.BudgetUnit, c1 / Math.Max(1, n1) - c0 / Math.Max(1, n0), (int)Math.Min(int.MaxValue, nTrain));
            json["effectiveTopFraction"] = q;
            plan = new RankingTrainer.CrmPlan(q, crmOptions.T0, crmOptions.TemperatureStep, crmOptions.TemperatureEvery);
        }
        var info = new RankingFitInfo(judgeAucc ? AppliedSelection.ValidationAucc : AppliedSelection.TrainingObjective, baseline);
        var kept = new Dictionary<ScorerKind, (DrmOptions Options, float[] Best)>();
        (RankingModel, double) Train(DrmOptions r, JsonObject j)
        {
            var net = Configure(r);
            var isWeight = new bool[net.ParameterCount];
            for (int k = 0; k < isWeight.Length; k++) isWeight[k] = net.IsWeight(k);
            var cohort = new PartitionedCohort(parts, Restore, net.ParameterCount, isWeight, n1, n0, progress, rebalance);
            Func<float[], double>? aucc = judgeAucc ? w => AuccOf(PartitionSet.Valid, w, valid) : null;
            var (w, trainG, _, judged) = RankingTrainer.Loop(kind, r, plan, net, cohort, null, aucc, context);
            kept[r.Scorer] = (r, w);
            return (new RankingModel(kind, net, w, vScale, cScale, context.Seed, trainG, null, j, info), judged);
        }
        var model = o.Scorer != ScorerKind.Auto ? Train(o, json).Item1
            : RankingTrainer.ChooseScorer(o, json, judgeAucc, Train, (m, j) => m.WithOptions(j));
        // The kept scorer's network on every partition again (the auto choice configured the MLP last).
        var (chosenOptions, best) = kept[model.Scorer];
        Configure(chosenOptions);

        var test = Gather(Stage(() => Task.WhenAll(parts.Select(q => q.Labels(PartitionSet.Test)))));
        double? validAucc = valid.Rows > 0 ? AuccOf(PartitionSet.Valid, best, valid) : null;
        double? testAucc = test.Rows > 0 ? AuccOf(PartitionSet.Test, best, test) : null;
        return new PartitionedFit(new FittedPipeline(prep, model), parts.Count, nTrain, nValid, nTest, validAucc, testAucc);
    }

    /// <summary>σ of an outcome from the partitions' [rows, mean, Σ squared deviations] at <paramref name="at"/> (merged in partition order;
    /// 1 when zero), as <c>RankingTrainer.Scale</c> on one cohort.</summary>
    static double MergedScale(double[][] parts, int at)
    {
        var m = new Moments(0, 0, 0);
        foreach (var s in parts) m = m.Merge(new Moments(s[0], s[at], s[at + 1]));
        return RankingTrainer.ScaleOf(m);
    }

    /// <summary>T, V, C of one part of every partition, concatenated in partition order.</summary>
    sealed record Labelled(byte[] T, double[] V, double[] C)
    {
        public int Rows => T.Length;
    }

    static Labelled Gather(double[][] all)
    {
        var t = new List<byte>(); var v = new List<double>(); var c = new List<double>();
        foreach (var a in all)
        {
            int n = a.Length / 3;
            for (int i = 0; i < n; i++) { t.Add((byte)a[i]); v.Add(a[n + i]); c.Add(a[2 * n + i]); }
        }
        return new Labelled(t.ToArray(), v.ToArray(), c.ToArray());
    }

    /// <summary>The AUCC (METHOD.md section 6) of one part's rows ranked by their raw scores f (one array per
    /// partition, in partition order), as the one-file training judges it.</summary>
    static double Aucc(float[][] raw, Labelled labels)
    {
        var score = new double[labels.Rows];
        int k = 0;
        foreach (var f in raw)
        {
            if (k + f.Length > score.Length) throw new PartitionStateException("scores and labels disagree in length");
            foreach (var x in f) score[k++] = x;
        }
        if (k != labels.Rows) throw new PartitionStateException("scores and labels disagree in length");
        return CostCurve.Aucc(score, labels.T, labels.V, labels.C, RankingTrainer.SelectionGrid);
    }
}
