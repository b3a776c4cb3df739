using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Persistence;
using Uplift.Scoring;

namespace Uplift.Cli.Commands;

/// <summary><c>uplift score</c>: one score per input row (higher = treat first), in input order, with the id column
/// (and, for a model of several arms, the <c>arm</c> of each user's first upgrade, <see cref="StreamingScorer.ArmColumn"/>),
/// with --effects the estimated effects and with --keep input columns carried through (so that <c>evaluate</c> reads the file);
/// streamed chunk by chunk (<see cref="StreamingScorer"/>), so inputs of any size run in bounded memory.</summary>
static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Users to score (.csv, .csv.gz or .parquet); needs the model's feature columns.", Required = true };
        var output = new Option<string>("--out") { Description = "Output file (.csv or .parquet): the id column (when the model has one), 'score' and, for a model of several arms, 'arm' (the label of the user's best first offer: the arm of its first upgrade on the budget path, or the control label when no arm adds value); then the --effects and --keep columns.", Required = true };
        var chunkRows = new Option<int>("--chunk-rows")
        {
            Description = "Rows per chunk: the input is read, scored and written chunk by chunk in bounded memory (a Parquet chunk is one row group).",
            DefaultValueFactory = _ => new StreamScoreOptions().ChunkRows,
        };
        var keep = new Option<string?>("--keep")
        {
            Description = "Input columns to carry through unchanged, comma-separated (e.g. treatment,value,cost, so that 'uplift evaluate' reads " +
                "the scored output); written after the score columns, in the input's column order. A name that is not in the input, or that " +
                "is an output column (the id, score, arm, an effect column), is an error.",
        };
        var effects = new Option<bool>("--effects")
        {
            Description = "Also write each user's estimated effects: tau_v and tau_c (tlearner, rlearner --outcome both, causal-forest), or per arm " +
                "tau_v_LABEL and tau_c_LABEL for a model of several arms ('uplift evaluate --score tau' reads them). Another model is an error.",
        };
        var level = new Option<double?>("--level")
        {
            Description = "With --effects, also write normal intervals tau_v_lo, tau_v_hi, tau_c_lo, tau_c_hi at this level (e.g. 0.9): a " +
                "causal-forest model trained with --ci-group-size 2 (little bags) gives them; another model is an error.",
        };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var cluster = new ClusterFlags();
        var cmd = new Command("score", "Score users with a trained model: one row per input row, in input order. Streams inputs of any size.")
        {
            model, data, output, keep, effects, level, chunkRows, threads, seed, json,
        };
        cluster.AddTo(cmd);
        cmd.SetAction(r => Common.Run(() =>
        {
            // Several files (a folder or a pattern) or --cluster: one output per partition in the --out folder (docs/CLUSTER.md).
            if (cluster.Partitioned(r, r.GetValue(data)!))
                return PartitionedCommands.Score(r, cluster, r.GetValue(model)!, r.GetValue(data)!, r.GetValue(output)!, r.GetValue(json));
            var clock = Stopwatch.StartNew();
            var file = ModelFile.Load(r.GetValue(model)!);
            string path = r.GetValue(output)!;
            var options = new StreamScoreOptions
            {
                ChunkRows = r.GetValue(chunkRows), MaxThreads = r.GetValue(threads), Keep = Common.SplitList(r.GetValue(keep)), Effects = r.GetValue(effects), Level = r.GetValue(level),
            };
            var result = StreamingScorer.Score(file.Pipeline, r.GetValue(data)!, path, options);
            double seconds = clock.Elapsed.TotalSeconds;
            double rate = result.Rows / Math.Max(seconds, 1e-9);
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["rows"] = result.Rows, ["kind"] = file.Model.Kind, ["seconds"] = seconds,
                    ["rows_per_second"] = rate, ["chunks"] = result.Chunks,
                    ["arms"] = file.Preprocessor.Arms, ["arm_column"] = StreamingScorer.WritesArm(file.Pipeline),
                    ["effect_columns"] = options.Effects ? new JsonArray([.. StreamingScorer.EffectColumns(file.Pipeline)!.Concat(options.Level is null ? [] : StreamingScorer.IntervalColumns).Select(c => (JsonNode)JsonValue.Create(c)!)]) : new JsonArray(),
                    ["kept_columns"] = new JsonArray([.. (options.Keep ?? []).Select(c => (JsonNode)JsonValue.Create(c)!)]),
                });
            else
                Console.WriteLine($"scored {result.Rows} rows with model {file.Model.Kind}" +
                    (StreamingScorer.WritesArm(file.Pipeline) ? $" of {file.Preprocessor.Arms} arms (column '{StreamingScorer.ArmColumn}': each user's first upgrade)" : "") +
                    (options.Effects ? $"; effects {string.Join(", ", StreamingScorer.EffectColumns(file.Pipeline)!)}" : "") +
                    (options.Level is { } lv ? $"; {lv:P0} intervals {string.Join(", ", StreamingScorer.IntervalColumns)}" : "") +
                    (options.Keep is { Count: > 0 } kept ? $"; kept {string.Join(", ", kept)}" : "") +
                    $" in {seconds:0.00} s ({rate:N0} rows/s) -> {path}");
            return Common.ExitOk;
        }));
        return cmd;
    }
}
