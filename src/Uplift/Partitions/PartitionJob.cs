using System.Text.Json.Nodes;
using Uplift.Data;

namespace Uplift.Partitions;

/// <summary>
/// A campaign stored as several files, each one partition (docs/CLUSTER.md): the files in partition order, the column
/// roles, the split and the preprocessing options. The split is defined per row from the seed, the partition's index
/// and the row's index in its file (<see cref="PartOf"/>), so it does not depend on who loads which partition.
/// Serialised as JSON (<see cref="ToJson"/>) to be sent to the workers of a cluster.
/// </summary>
public sealed record PartitionJob
{
    /// <summary>The partition files, in partition order (see <see cref="ExpandFiles"/>).</summary>
    public required IReadOnlyList<string> Files { get; init; }
    /// <summary>The column roles (propensity and weight columns are not supported with partitions yet).</summary>
    public required ColumnRoles Roles { get; init; }
    /// <summary>Columns left out of the features when <see cref="ColumnRoles.Features"/> is null ("all other columns").</summary>
    public IReadOnlyList<string> ExcludeFeatures { get; init; } = [];

    /// <summary>The roles with the features resolved on one partition's table (all other columns but the excluded ones).</summary>
    internal ColumnRoles RolesFor(RawTable table)
    {
        if (ExcludeFeatures.Count == 0 || Roles.Features is not null) return Roles;
        var bound = Roles.Bind(table);
        var missing = ExcludeFeatures.Where(c => !table.Contains(c)).ToList();
        if (missing.Count > 0) throw new UpliftDataException($"--exclude names column(s) not in the data: {string.Join(", ", missing)}", table.Source);
        return Roles with { Features = bound.Features!.Where(f => !ExcludeFeatures.Contains(f)).ToArray() };
    }

    /// <summary>Expected share of training rows, in (0, 1) (default 0.6).</summary>
    public double TrainFraction { get; init; } = 0.6;
    /// <summary>Expected share of validation rows, in (0, 1 − TrainFraction] (default 0.2); the rest is the test set.</summary>
    public double ValidFraction { get; init; } = 0.2;
    /// <summary>Seed of the split (default 1).</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Preprocessing options (default: the defaults of <see cref="PreprocessOptions"/>).</summary>
    public PreprocessOptions Preprocess { get; init; } = new();

    /// <summary>Throws for an empty file list, fractions out of range, or roles the partitioned path does not support.</summary>
    public void Validate()
    {
        if (Files.Count == 0) throw new UpliftOptionException("--data", "no partition files");
        UpliftOptionException.Check(TrainFraction is > 0 and < 1, "train-fraction", $"must be in (0, 1), got {TrainFraction}");
        UpliftOptionException.Check(ValidFraction is > 0 && TrainFraction + ValidFraction <= 1 + 1e-12, "valid-fraction",
            $"must be in (0, 1 − train fraction], got {ValidFraction}");
        if (Roles.Propensity is not null || Roles.Weight is not null)
            throw new UpliftOptionException("--propensity", "propensity and weight columns are not supported with partitioned data yet; train on one file");
        Preprocess.Validate();
    }

    /// <summary>The part of row <paramref name="row"/> (0-based, in its file) of partition <paramref name="partition"/>:
    /// 0 training, 1 validation, 2 test, from a stateless hash of (seed, partition, row) mapped to [0, 1).</summary>
    public static byte PartOf(long seed, int partition, long row, double trainFraction, double validFraction)
    {
        ulong h = Rng.Hash(Rng.Key(seed, RngStream.PartitionSplit, partition) ^ Rng.Hash((ulong)row));
        double u = (h >> 11) * (1.0 / (1UL << 53));
        return u < trainFraction ? (byte)0 : u < trainFraction + validFraction ? (byte)1 : (byte)2;
    }

    /// <summary>True when <paramref name="data"/> names several files: a folder, or a pattern with * or ? in its file name.</summary>
    public static bool IsPartitioned(string data) =>
        Directory.Exists(data) || Path.GetFileName(data).AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>
    /// The files of <paramref name="data"/> in partition order (ordinal order of their paths): every .csv, .csv.gz and
    /// .parquet file of a folder, or the files matching a pattern such as <c>parts/*.parquet</c> (wildcards in the file
    /// name only). No file is a clear error.
    /// </summary>
    public static IReadOnlyList<string> ExpandFiles(string data)
    {
        string[] files;
        if (Directory.Exists(data))
            files = Directory.GetFiles(data).Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)).ToArray();
        else
        {
            string dir = Path.GetDirectoryName(data) is { Length: > 0 } d ? d : ".";
            if (!Directory.Exists(dir)) throw new UpliftOptionException("--data", $"folder '{dir}' not found");
            files = Directory.GetFiles(dir, Path.GetFileName(data));
        }
        if (files.Length == 0) throw new UpliftOptionException("--data", $"no partition files match '{data}'");
        Array.Sort(files, StringComparer.Ordinal);
        return files.Select(Path.GetFullPath).ToArray();
    }

    public JsonObject ToJson() => new()
    {
        ["files"] = new JsonArray(Files.Select(f => (JsonNode?)f).ToArray()),
        ["roles"] = new JsonObject
        {
            ["treatment"] = Roles.Treatment, ["value"] = Roles.Value, ["cost"] = Roles.Cost, ["id"] = Roles.Id, ["control"] = Roles.Control,
            ["features"] = Roles.Features is null ? null : new JsonArray(Roles.Features.Select(f => (JsonNode?)f).ToArray()),
        },
        ["exclude"] = new JsonArray(ExcludeFeatures.Select(f => (JsonNode?)f).ToArray()),
        ["trainFraction"] = TrainFraction, ["validFraction"] = ValidFraction, ["seed"] = Seed,
        ["preprocess"] = new JsonObject
        {
            ["missingNumeric"] = Preprocess.MissingNumeric.ToString(), ["maxCategories"] = Preprocess.MaxCategories,
            ["maxDistinctCategories"] = Preprocess.MaxDistinctCategories, ["minRowsPerArm"] = Preprocess.MinRowsPerArm,
        },
    };

    public static PartitionJob FromJson(JsonObject o)
    {
        var r = o["roles"]!.AsObject();
        var pp = o["preprocess"]!.AsObject();
        return new PartitionJob
        {
            Files = o["files"]!.AsArray().Select(n => (string)n!).ToArray(),
            Roles = new ColumnRoles((string)r["treatment"]!, (string)r["value"]!, (string)r["cost"]!)
            {
                Id = (string?)r["id"], Control = (string?)r["control"],
                Features = r["features"] is JsonArray fa ? fa.Select(n => (string)n!).ToArray() : null,
            },
            ExcludeFeatures = o["exclude"]!.AsArray().Select(n => (string)n!).ToArray(),
            TrainFraction = (double)o["trainFraction"]!, ValidFraction = (double)o["validFraction"]!, Seed = (long)o["seed"]!,
            Preprocess = new PreprocessOptions
            {
                MissingNumeric = Enum.Parse<MissingNumericPolicy>((string)pp["missingNumeric"]!),
                MaxCategories = (int?)pp["maxCategories"], MaxDistinctCategories = (int)pp["maxDistinctCategories"]!,
                MinRowsPerArm = (int)pp["minRowsPerArm"]!,
            },
        };
    }
}
