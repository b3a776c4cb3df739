using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Persistence;

namespace Uplift.Cli.Commands;

/// <summary><c>uplift score</c>: one score per input row (higher = treat first), in input order, with the id column.</summary>
static class ScoreCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Users to score (.csv, .csv.gz or .parquet); needs the model's feature columns.", Required = true };
        var output = new Option<string>("--out") { Description = "Output file (.csv or .parquet): the id column (when the model has one) and 'score'.", Required = true };
        var seed = Common.Seed();
        var json = Common.Json();
        var cmd = new Command("score", "Score users with a trained model: one row per input row, in input order.")
        {
            model, data, output, seed, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var clock = Stopwatch.StartNew();
            var file = ModelFile.Load(r.GetValue(model)!);
            var table = TableReader.Read(r.GetValue(data)!);
            var scores = file.Score(table);
            var cols = new List<RawColumn>();
            string? idName = file.Preprocessor.Roles.Id;
            if (idName is not null)
            {
                var idCol = table.Find(idName)
                    ?? throw new UpliftDataException($"the model carries the id column '{idName}', which this file lacks.", table.Source, column: idName);
                cols.Add(RawColumn.Text(idName, Enumerable.Range(0, table.Rows).Select(idCol.TextAt).ToArray()));
            }
            cols.Add(RawColumn.Numeric("score", scores));
            string path = r.GetValue(output)!;
            TableWriter.Write(path, new RawTable(path, table.Rows, cols));
            double seconds = clock.Elapsed.TotalSeconds;
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject { ["out"] = path, ["rows"] = table.Rows, ["kind"] = file.Model.Kind, ["seconds"] = seconds });
            else
                Console.WriteLine($"scored {table.Rows} rows with a {file.Model.Kind} model in {seconds:0.00} s -> {path}");
            return Common.ExitOk;
        }));
        return cmd;
    }
}
