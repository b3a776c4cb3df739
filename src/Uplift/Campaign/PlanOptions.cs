namespace Uplift.Campaign;

/// <summary>What a plan of one arm (<see cref="PlanOptions"/>) and of several arms (<see cref="MultiArmPlanOptions"/>)
/// share: the budget, the explore share, the bootstrap and its seed, the smallest group priced, the thread cap.</summary>
public abstract record PlanSettings
{
    /// <summary>Budget B on the expected incremental cost of the whole campaign (explore treatment + exploit). Required, finite, &gt;= 0.</summary>
    public required double Budget { get; init; }
    /// <summary>Share of the candidates drawn into the random explore group (as <see cref="AssignmentOptions.Explore"/>; with
    /// several arms it is split equally across control and the arms, and must be below 1); default 0.1, in [0, 1].</summary>
    public double Explore { get; init; } = 0.1;
    /// <summary>Bootstrap replicates of the intervals (with evaluation data); default 500, in [100, 100,000].</summary>
    public int BootstrapReplicates { get; init; } = 500;
    /// <summary>Confidence level of the intervals; default 0.95, in (0.5, 1).</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
    /// <summary>Seed of the bootstrap; default 1. Replicate b draws from <c>Rng.Derive(Seed, RngStream.PlanBootstrap, b)</c>.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>A cut-off (budget point) is only priced when each group it compares holds at least this many evaluation
    /// users (treated and control; with several arms, observed in each assigned arm), else their difference of means is
    /// too noisy to plan with; default 20, &gt;= 2.</summary>
    public int MinArmUsers { get; init; } = 20;
    /// <summary>Cap on worker threads of the bootstrap (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    internal virtual void Validate()
    {
        UpliftOptionException.Check(double.IsFinite(Budget) && Budget >= 0, "budget", $"must be a finite number >= 0, got {Budget}.");
        UpliftOptionException.Check(Explore is >= 0 and <= 1, "explore", $"must be in [0, 1], got {Explore}.");
        UpliftOptionException.Check(BootstrapReplicates is >= 100 and <= 100_000, "bootstrap", $"must be in [100, 100000], got {BootstrapReplicates}.");
        UpliftOptionException.Check(ConfidenceLevel > 0.5 && ConfidenceLevel < 1, "confidence", $"must be in (0.5, 1), got {ConfidenceLevel}.");
        UpliftOptionException.Check(MinArmUsers >= 2, "min-arm-users", $"must be at least 2, got {MinArmUsers}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
    }
}

/// <summary>Options of <see cref="Plan"/> (one arm).</summary>
public sealed record PlanOptions : PlanSettings
{
    /// <summary>Share of the explore group that is treated (as <see cref="AssignmentOptions.ExploreTreated"/>); default 0.5, in [0, 1].</summary>
    public double ExploreTreated { get; init; } = 0.5;

    internal override void Validate()
    {
        base.Validate();
        UpliftOptionException.Check(ExploreTreated is >= 0 and <= 1, "explore-treated", $"must be in [0, 1], got {ExploreTreated}.");
    }
}

/// <summary>Options of <see cref="MultiArmPlan"/> (several arms).</summary>
public sealed record MultiArmPlanOptions : PlanSettings
{
    /// <summary>When set (in (0.5, 1)), the plan holds budget back so that the upper <c>SpendConfidence</c>-quantile of
    /// the bootstrap spend stays within the budget (see <see cref="MultiArmPlan"/>); needs evaluation data.</summary>
    public double? SpendConfidence { get; init; }

    internal override void Validate()
    {
        base.Validate();
        UpliftOptionException.Check(Explore < 1, "explore", $"must be in [0, 1) with several arms, got {Explore}.");
        UpliftOptionException.Check(SpendConfidence is null or (> 0.5 and < 1), "spend-confidence", $"must be in (0.5, 1), got {SpendConfidence}.");
    }
}
