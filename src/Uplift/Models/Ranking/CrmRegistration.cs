namespace Uplift.Models.Ranking;

/// <summary>The CRM in the catalog (METHOD.md section 4): the DRM's flags on its network part, plus the mask's.</summary>
public static class CrmRegistration
{
    public const string Name = "crm";

    public static LearnerRegistration<CrmOptions> Instance { get; } = new(Name, new CrmOptions(), o => new CrmLearner(o), RankingModel.Load,
    [
        .. DrmRegistration.Flags.Select(f => f.Over<CrmOptions>(o => o.Drm, (o, d) => o with { Drm = d })),
        Flag<CrmOptions>.Number("--top-fraction", "CRM: fraction of users the mask keeps (default 0.4).", (o, v) => o with { TopFraction = v }),
        Flag<CrmOptions>.Number("--budget-fraction",
            "CRM: budget as a fraction of the incremental cost of treating everyone (replaces --top-fraction).",
            (o, v) => o with { Budget = v, BudgetUnit = BudgetUnit.FractionOfTotalCost }),
    ]);
}
