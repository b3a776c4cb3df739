using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Synthetic;

namespace Uplift.Cli.Commands;

/// <summary><c>uplift simulate</c>: writes a synthetic campaign with its known truth to CSV or Parquet.</summary>
static class SimulateCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = $"Scenario: {string.Join(", ", SyntheticScenarios.Names)}.",
            DefaultValueFactory = _ => "linear",
        };
        var rows = new Option<int>("--rows") { Description = "Number of users.", DefaultValueFactory = _ => 10_000 };
        var features = new Option<int>("--features") { Description = "Number of features (at least 5).", DefaultValueFactory = _ => 10 };
        var treated = new Option<double>("--treated-share") { Description = "Share of treated users.", DefaultValueFactory = _ => 0.5 };
        var noise = new Option<double>("--noise") { Description = "Standard deviation of the outcome noise.", DefaultValueFactory = _ => 1.0 };
        var output = new Option<string>("--out") { Description = "Output file (.csv, .csv.gz or .parquet).", Required = true };
        var seed = Common.Seed();
        var json = Common.Json();
        var cmd = new Command("simulate",
            "Write a synthetic campaign with known effects: columns user_id, x0.., treatment, value, cost, " +
            "and the truth tau_v, tau_c, propensity, oracle_score (ranking by the true tau_v/tau_c).")
        {
            scenario, rows, features, treated, noise, output, seed, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var data = SyntheticCampaign.Generate(new SyntheticOptions
            {
                Scenario = Common.Scenario(r.GetValue(scenario)!),
                Rows = r.GetValue(rows),
                Features = r.GetValue(features),
                TreatedShare = r.GetValue(treated),
                NoiseScale = r.GetValue(noise),
                Seed = r.GetValue(seed),
            });
            string path = r.GetValue(output)!;
            TableWriter.Write(path, ToTable(path, data));
            var d = data.Data;
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["scenario"] = SyntheticScenarios.Name(data.Options.Scenario),
                    ["rows"] = d.Rows, ["features"] = d.Features, ["treated"] = d.TreatedCount, ["seed"] = data.Options.Seed,
                });
            else
                Console.WriteLine($"wrote {path}: {d.Rows} users ({d.TreatedCount} treated), {d.Features} features, " +
                                  $"scenario {SyntheticScenarios.Name(data.Options.Scenario)}, seed {data.Options.Seed}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The campaign as a table: id, features, T, V, C, then the truth columns.</summary>
    internal static RawTable ToTable(string source, SyntheticData s)
    {
        var d = s.Data;
        var cols = new List<RawColumn>
        {
            RawColumn.Text("user_id", Enumerable.Range(0, d.Rows).Select(i => "u" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
        };
        for (int j = 0; j < d.Features; j++)
        {
            var col = new double[d.Rows];
            for (int i = 0; i < d.Rows; i++) col[i] = d.X[(long)i * d.Features + j];
            cols.Add(RawColumn.Numeric(d.FeatureNames[j], col));
        }
        cols.Add(RawColumn.Numeric("treatment", d.T.Select(b => (double)b).ToArray()));
        cols.Add(RawColumn.Numeric("value", d.V));
        cols.Add(RawColumn.Numeric("cost", d.C));
        cols.Add(RawColumn.Numeric("tau_v", s.TauV));
        cols.Add(RawColumn.Numeric("tau_c", s.TauC));
        cols.Add(RawColumn.Numeric("propensity", s.Propensity));
        cols.Add(RawColumn.Numeric("oracle_score", s.OracleScore));
        return new RawTable(source, d.Rows, cols);
    }
}
