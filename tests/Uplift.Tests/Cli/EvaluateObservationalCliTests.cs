using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary><c>evaluate --propensity</c> (METHOD.md section 11) and the metrics other tools report, on a confounded campaign.</summary>
[Collection("cli")]
public class EvaluateObservationalCliTests
{
    readonly string _dir = CliRunner.TempDir();

    string[] Args(string data, params string[] more) =>
        ["evaluate", "--data", data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--score", "oracle_score", "--bootstrap", "0", .. more];

    [Fact]
    public void The_propensity_column_weights_the_curve_as_the_library_does_and_the_metrics_are_printed()
    {
        string data = Path.Combine(_dir, "c.csv");
        CliRunner.Ok("simulate", "--scenario", "confounded", "--rows", "3000", "--seed", "5", "--out", data);
        var table = TableReader.Read(data);
        var o = OutcomeColumns.Read(table, new ColumnRoles("treatment", "value", "cost"));
        var score = OutcomeColumns.Numbers(table, "oracle_score");
        var e = OutcomeColumns.Numbers(table, "propensity");
        var opts = new EvaluationOptions { BootstrapReplicates = 0 };
        double naive = Experiment.Evaluate(score, o.T, o.V, o.C, opts).Curve.Aucc;
        double ipw = Experiment.Evaluate(score, o.T, o.V, o.C, opts, adjustment: new Adjustment { Propensity = e }).Curve.Aucc;
        Assert.True(Math.Abs(naive - ipw) > 0.01, $"naive {naive} and IPW {ipw} should differ on confounded data");

        var j = CliRunner.Json(Args(data, "--propensity", "propensity"));
        var r0 = j["results"]!.AsArray()[0]!;
        Assert.Equal(ipw, (double)r0["aucc"]!, 12);
        Assert.Equal("ipw", (string)j["observational"]!["adjustment"]!);
        Assert.Equal("ipw", (string)r0["metrics"]!["adjustment"]!);
        Assert.Equal(10, r0["metrics"]!["deciles"]!.AsArray().Count);
        Assert.Equal(naive, (double)CliRunner.Json(Args(data))["results"]!.AsArray()[0]!["aucc"]!, 12);
        Assert.Null(CliRunner.Json(Args(data, "--no-metrics"))["results"]!.AsArray()[0]!["metrics"]);

        var text = CliRunner.Ok(Args(data, "--propensity", "propensity", "--trim", "0.2"));
        Assert.Contains("inverse-propensity weighted", text);
        Assert.Contains("Qini coef", text);
        int kept = e.Count(p => p >= 0.2 && p <= 0.8);
        Assert.Contains($"{kept} users kept", text);
    }

    [Fact]
    public void Bad_propensity_input_is_refused_clearly()
    {
        string data = Path.Combine(_dir, "p.csv");
        File.WriteAllLines(data, ["treatment,value,cost,oracle_score,propensity", "1,1,1,0.5,0.5", "0,0,0,0.2,1", "1,2,1,0.9,0.4", "0,1,0,0.1,0.6"]);
        var bad = CliRunner.Run(Args(data, "--propensity", "propensity"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("strictly between 0 and 1", bad.Err);
        var trim = CliRunner.Run(Args(data, "--trim", "0.1"));
        Assert.Equal(2, trim.ExitCode);
        Assert.Contains("needs a propensity", trim.Err);
        var missing = CliRunner.Run(Args(data, "--propensity", "e"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("missing propensity column 'e'", missing.Err);
    }
}
