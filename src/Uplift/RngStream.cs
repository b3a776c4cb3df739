namespace Uplift;

/// <summary>
/// The purposes random numbers serve: each has its own stream, so no two purposes share a generator.
/// A generator is <see cref="Rng.Derive"/>(seed, stream, index); "index" below says what the index counts
/// (0 when not said). Values are consecutive from 1, so a stray literal 0 (which C# converts to any enum) is rejected.
/// </summary>
internal enum RngStream
{
    /// <summary>The shuffle of an unstratified split (<c>DataSplit.Random</c>).</summary>
    SplitAll = 1,
    /// <summary>The shuffle of one arm in a stratified split; index = arm.</summary>
    SplitArm,
    /// <summary>A chunk of a synthetic campaign; index = chunk.</summary>
    SyntheticChunk,
    /// <summary>Initial weights of a DRM/CRM network; index = restart.</summary>
    NetworkInit,
    /// <summary>The rows sampled for the boosted trees' bin edges.</summary>
    BoostingBins,
    /// <summary>The row subsample of one boosted tree; index = tree.</summary>
    BoostingRows,
    /// <summary>The feature subsample of one boosted tree; index = tree.</summary>
    BoostingFeatures,
    /// <summary>The folds of ridge's lambda cross-validation.</summary>
    RidgeFolds,
    /// <summary>Sub-seed of a meta-learner's once-shared binning of the features.</summary>
    SharedBins,
    /// <summary>The cross-fitting folds of the R-loss nuisances.</summary>
    RLossFolds,
    /// <summary>Sub-seed of the cross-fitted propensity ê.</summary>
    RLossPropensity,
    /// <summary>Sub-seed of a cross-fitted outcome model; index 0 = m̂_V, 1 = m̂_C.</summary>
    RLossOutcome,
    /// <summary>Sub-seed of an R-learner effect model; index 0 = tau_v, 1 = tau_c.</summary>
    RLossEffect,
    /// <summary>Sub-seed of one fold's fit in a cross-fit, from the target's seed; index = fold.</summary>
    CrossFitFold,
    /// <summary>The holdout shuffle of the duality R-learner when no validation set is given.</summary>
    DualityHoldout,
    /// <summary>Sub-seed of the duality R-learner's effect model; index = lambda.</summary>
    DualityEffect,
    /// <summary>Sub-seed of one T-learner outcome model; index 0..3 = v1, v0, c1, c0.</summary>
    TLearnerArm,
    /// <summary>Sub-seed of a standalone regression forest's trees.</summary>
    RegressionForest,
    /// <summary>Sub-seed of the causal forest's propensity forest (W.hat).</summary>
    ForestPropensity,
    /// <summary>Sub-seed of one causal forest; index 0 = value (and the single forest of <c>CausalForest.Fit</c>), 1 = cost.</summary>
    ForestEffect,
    /// <summary>Sub-seed of a causal forest's outcome forest (Y.hat).</summary>
    ForestOutcome,
    /// <summary>Sub-seed of a causal forest's own trees.</summary>
    CausalTrees,
    /// <summary>The subsample and features of one forest tree; index = tree.</summary>
    ForestTree,
    /// <summary>Key of the cost curve's seeded random tie break (stateless, <see cref="Rng.Key"/>).</summary>
    TieBreak,
    /// <summary>One AUCC bootstrap resample; index = replicate.</summary>
    Bootstrap,
    /// <summary>The shuffles of one permutation-importance group; index = the group's first column.</summary>
    FeatureImportance,
    /// <summary>One budget-plan bootstrap resample; index = replicate.</summary>
    PlanBootstrap,
    /// <summary>One read-out bootstrap resample; index = replicate.</summary>
    ReadoutBootstrap,
    /// <summary>Key of a user's explore draw in the assignment (stateless, <see cref="Rng.Key"/>).</summary>
    ExploreDraw,
    /// <summary>Key of a user's treatment draw within explore (stateless, <see cref="Rng.Key"/>).</summary>
    ExploreArmDraw,
    /// <summary>The row shuffle of the paper's Covertype construction.</summary>
    CovertypeShuffle,
    /// <summary>The scores of the random baseline (paper benchmark, demo).</summary>
    RandomScores,
    /// <summary>Synthetic inputs of the bench's step timings (bench/ only).</summary>
    BenchStepData,
    /// <summary>Synthetic inputs of the bench's boosted-tree timings (bench/ only).</summary>
    BenchTreesData,
    /// <summary>Synthetic inputs of the bench's forest timings (bench/ only); index 0 = training, 1 = test rows.</summary>
    BenchForestData,
    /// <summary>The bench's stand-in Covertype and Census files (bench/ only).</summary>
    BenchStandInFiles,
    /// <summary>Sub-seed of one arm's binary head in a multi-arm fit (<c>Models/MultiArm/PerArmLearner</c>); index = arm (1..K).</summary>
    ArmHead,
    /// <summary>Synthetic per-arm effects of the bench's budget-path timings (bench/ only); index = chunk of users.</summary>
    BenchAllocationData,
    /// <summary>One RATE bootstrap resample (<c>Evaluation/Rate</c>); index = replicate.</summary>
    RateBootstrap,
    /// <summary>The fold of each user in the cross-fitting of propensities and outcome models (<c>Models/Propensity</c>).</summary>
    PropensityFolds,
    /// <summary>The users of the observational synthetic campaign with the truth (<c>Synthetic/ConfoundedCampaign</c>); index = chunk.</summary>
    ConfoundedChunk,
    /// <summary>One refuter run (<c>Experiments/Refuters</c>); index = the run.</summary>
    Refuter,
    /// <summary>Sub-seed of one output network of a learned gating over arms (<c>Models/MultiArm/GatingTrainer</c>); index = output (0..2K-1).</summary>
    GatingOutput,
    /// <summary>The half-sample of one group of causal-forest trees (little bags, <c>CausalForestOptions.CiGroupSize</c>); index = group.</summary>
    ForestGroup,
    /// <summary>The train / validation / test part of each row of a partitioned campaign (<c>Partitions/PartitionJob</c>); index = partition.</summary>
    PartitionSplit,
}
