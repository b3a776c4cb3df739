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
        var treated = new Option<double>("--treated-share") { Description = "Share of treated users (not multiarm).", DefaultValueFactory = _ => 0.5 };
        var arms = new Option<int?>("--arms")
        {
            Description = $"Number of offers K of --scenario multiarm (default 3, at most {TreatmentLabels.MaxArms}); shares: control 0.4, " +
                          "the arms 0.6 split in the ratio K : K-1 : ... : 1.",
        };
        var noise = new Option<double>("--noise") { Description = "Standard deviation of the outcome noise.", DefaultValueFactory = _ => 1.0 };
        var output = new Option<string>("--out") { Description = "Output file (.csv, .csv.gz or .parquet).", Required = true };
        var partitions = new Option<int?>("--partitions")
        {
            Description = "Write the users as this many files of consecutive rows (partitions for 'train --data DIR/NAME-*.EXT', docs/CLUSTER.md): --out's name with -00, -01, ... before the extension.",
        };
        var seed = Common.Seed();
        var json = Common.Json();
        var cmd = new Command("simulate",
            "Write a synthetic campaign with known effects: columns user_id, x0.., treatment, value, cost, " +
            "and the truth tau_v, tau_c, propensity, oracle_score (ranking by the true tau_v/tau_c). " +
            "With --scenario multiarm the treatment holds the labels none (control) and small, medium, large (K = 3; " +
            "offer1..offerK otherwise), and the truth is tau_v_<arm>, tau_c_<arm> per arm and the propensity of the user's arm.")
        {
            scenario, rows, features, treated, arms, noise, output, partitions, seed, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var sc = Common.Scenario(r.GetValue(scenario)!);
            bool multi = sc == SyntheticScenario.MultiArm;
            UpliftOptionException.Check(multi || r.GetValue(arms) is null, "--arms", "applies to --scenario multiarm only.");
            UpliftOptionException.Check(!multi || r.GetResult(treated) is null or { Implicit: true }, "--treated-share",
                "does not apply to --scenario multiarm, whose shares are fixed (see --arms).");
            var data = SyntheticCampaign.Generate(new SyntheticOptions
            {
                Scenario = sc,
                Rows = r.GetValue(rows),
                Features = r.GetValue(features),
                TreatedShare = r.GetValue(treated),
                Arms = r.GetValue(arms) ?? new SyntheticOptions().Arms,
                NoiseScale = r.GetValue(noise),
                Seed = r.GetValue(seed),
            });
            string path = r.GetValue(output)!;
            if (r.GetValue(partitions) is { } parts)
                path = $"{TableWriter.WriteParts(path, ToTable(path, data), parts)[0]} .. ({parts} partitions)";
            else TableWriter.Write(path, ToTable(path, data));
            var d = data.Data;
            var counts = d.ArmCounts();
            if (r.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["out"] = path, ["scenario"] = SyntheticScenarios.Name(data.Options.Scenario),
                    ["rows"] = d.Rows, ["features"] = d.Features, ["treated"] = d.TreatedCount, ["seed"] = data.Options.Seed,
                };
                if (multi)
                {
                    o["control"] = new JsonObject { ["label"] = data.ControlLabel, ["users"] = counts[0], ["share"] = data.ArmShares[0] };
                    o["arms"] = new JsonArray(data.ArmLabels.Select((l, k) => (JsonNode?)new JsonObject
                        { ["label"] = l, ["users"] = counts[k + 1], ["share"] = data.ArmShares[k + 1] }).ToArray());
                }
                Common.WriteJson(o);
            }
            else
            {
                string perArm = !multi ? "" : " in " + string.Join(", ", data.ArmLabels.Select((l, k) => $"{l} {counts[k + 1]}"));
                Console.WriteLine($"wrote {path}: {d.Rows} users ({d.TreatedCount} treated{perArm}), {d.Features} features, " +
                                  $"scenario {SyntheticScenarios.Name(data.Options.Scenario)}, seed {data.Options.Seed}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The campaign as a table: id, features, T, V, C, then the truth columns (per arm for multiarm).</summary>
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
        if (s.Options.Scenario == SyntheticScenario.MultiArm)
        {
            string[] labels = [s.ControlLabel, .. s.ArmLabels];
            cols.Add(RawColumn.Text("treatment", d.T.Select(b => labels[b]).ToArray()));
            cols.Add(RawColumn.Numeric("value", d.V));
            cols.Add(RawColumn.Numeric("cost", d.C));
            int k = s.Arms;
            for (int a = 0; a < k; a++)
            {
                var tv = new double[d.Rows];
                var tc = new double[d.Rows];
                for (int i = 0; i < d.Rows; i++) { tv[i] = s.ArmTauV[(long)i * k + a]; tc[i] = s.ArmTauC[(long)i * k + a]; }
                cols.Add(RawColumn.Numeric("tau_v_" + s.ArmLabels[a], tv));
                cols.Add(RawColumn.Numeric("tau_c_" + s.ArmLabels[a], tc));
            }
            cols.Add(RawColumn.Numeric("propensity", s.Propensity));
            return new RawTable(source, d.Rows, cols);
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
