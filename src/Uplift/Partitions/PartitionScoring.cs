using System.Text.Json.Nodes;
using Uplift.Persistence;
using Uplift.Scoring;

namespace Uplift.Partitions;

/// <summary>Scoring a partitioned file set: one output file per input partition, in input row order, each written
/// atomically (<see cref="StreamingScorer"/>), wherever the partition lives.</summary>
public static class PartitionScoring
{
    /// <summary>The output file of partition file <paramref name="input"/> in <paramref name="outDir"/>: its name with
    /// the extension replaced by <paramref name="extension"/> (".csv" or ".parquet").</summary>
    public static string OutputPath(string input, string outDir, string extension)
    {
        string name = Path.GetFileName(input);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) name = name[..^3];
        return Path.Combine(outDir, Path.ChangeExtension(name, extension));
    }

    /// <summary>Scores partition <see cref="PartitionConfig.Index"/> of the job in <paramref name="config"/> (only the
    /// job is used) with <paramref name="modelPath"/> into <paramref name="outPath"/>; returns the rows written.</summary>
    public static long Score(PartitionConfig? config, string modelPath, string outPath)
    {
        if (config is null) throw new PartitionStateException("partition not configured");
        var job = PartitionJob.FromJson(JsonNode.Parse(config.Job)!.AsObject());
        var model = ModelFile.Load(modelPath).Pipeline;
        return StreamingScorer.Score(model, job.Files[config.Index], outPath, new StreamScoreOptions { MaxThreads = 1 }).Rows;
    }
}
