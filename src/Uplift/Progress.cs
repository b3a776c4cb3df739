namespace Uplift;

/// <summary>
/// One progress report from a long step (training, a forest, a benchmark). The library reports through
/// <see cref="IProgress{T}"/>; the CLI decides how to render it (a bar on a terminal, plain lines when redirected).
/// </summary>
/// <param name="Stage">What is running, e.g. "drm restart 2/5".</param>
/// <param name="Done">Units done so far.</param>
/// <param name="Total">Units in all (0 when unknown).</param>
/// <param name="Message">Optional detail, e.g. the current objective.</param>
public readonly record struct ProgressInfo(string Stage, long Done, long Total, string? Message = null);

/// <summary>Shared settings of one fit: the seed, the thread cap and where progress goes.</summary>
/// <param name="Seed">Seed of every random choice of the fit.</param>
/// <param name="MaxThreads">Cap on worker threads (null = all cores). Results never depend on it.</param>
/// <param name="Progress">Receives progress reports; null = silent.</param>
public sealed record FitContext(long Seed = 1, int? MaxThreads = null, IProgress<ProgressInfo>? Progress = null)
{
    /// <summary>Stops a fit early with <see cref="OperationCanceledException"/> (default: never). Checked between trees of
    /// forests and boosting, between Adam steps and by every <see cref="ParallelOptions"/> loop; the auto learner uses it for
    /// its time limit. A cancelled fit returns nothing, so it cannot change the numbers of a fit that completes.</summary>
    public CancellationToken Cancellation { get; init; }

    public ParallelOptions ParallelOptions => new() { MaxDegreeOfParallelism = MaxThreads ?? Environment.ProcessorCount, CancellationToken = Cancellation };
    public void Report(string stage, long done, long total, string? message = null) =>
        Progress?.Report(new ProgressInfo(stage, done, total, message));
}
