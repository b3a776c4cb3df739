using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Persistence;
using Uplift.Scoring;

namespace Uplift.Cli.Commands;

/// <summary><c>uplift score</c>: one score per input row (higher = treat first), in input order, with the id column
/// (and, for a model of several arms, the <c>arm</c> of each user's first upgrade, <see cref="StreamingScorer.ArmColumn"/>);
/// streamed chunk by chunk (<see cref="StreamingScorer"/>), so inputs of any size run in bounded memory.</summary>
static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Users to score (.csv, .csv.gz or .parquet); needs the model's feature columns.", Required = true };
        var output = new Option<string>("--out") { Description = "Output file (.csv or .parquet): the id column (when the model has one), 'score' and, for a model of several arms, 'arm' (the label of the user's best first offer: the arm of its first upgrade on the budget path, or the control label when no arm adds value).", Required = true };
        var chunkRows = new Option<int>("--chunk-rows")
        {
            Description = "Rows per chunk: the input is read, scored and written chunk by chunk in bounded memory (a Parquet chunk is one row group).",
            DefaultValueFactory = _ => new StreamScoreOptions().ChunkRows,
        };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var cmd = new Command("score", "Score users with a trained model: one row per input row, in input order. Streams inputs of any size.")
        {
            model, data, output, chunkRows, threads, seed, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var file = ModelFile.Load(r.GetValue(model)!);
            string path = r.GetValue(output)!;
            var options = new StreamScoreOptions { ChunkRows = r.GetValue(chunkRows), MaxThreads = r.GetValue(threads) };
            var result = StreamingScorer.Score(file.Pipeline, r.GetValue(data)!, path, options);
            double seconds = clock.Elapsed.TotalSeconds;
            double rate = result.Rows / Math.Max(seconds, 1e-9);
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["rows"] = result.Rows, ["kind"] = file.Model.Kind, ["seconds"] = seconds,
                    ["rows_per_second"] = rate, ["chunks"] = result.Chunks,
                    ["arms"] = file.Preprocessor.Arms, ["arm_column"] = StreamingScorer.WritesArm(file.Pipeline),
                });
            else
                Console.WriteLine($"scored {result.Rows} rows with a {file.Model.Kind} model" +
                    (StreamingScorer.WritesArm(file.Pipeline) ? $" of {file.Preprocessor.Arms} arms (column '{StreamingScorer.ArmColumn}': each user's first upgrade)" : "") +
                    $" in {seconds:0.00} s ({rate:N0} rows/s) -> {path}");
            return Common.ExitOk;
        }));
        return cmd;
    }
}
