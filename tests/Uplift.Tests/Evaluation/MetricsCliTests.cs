using Uplift.Tests.Cli;
using Xunit;

namespace Uplift.Tests.Evaluation;

/// <summary>compare carries the metrics and the observational evaluation (docs/METRICS.md) in its JSON and table.</summary>
[Collection("cli")]
public class MetricsCliTests
{
    static string Simulate(string dir, string scenario)
    {
        var path = Path.Combine(dir, scenario + ".csv");
        CliRunner.Ok("simulate", "--scenario", scenario, "--rows", "3000", "--out", path, "--seed", "3");
        return path;
    }

    static readonly string[] Columns = ["--treatment", "treatment", "--value", "value", "--cost", "cost", "--id", "user_id"];

    [Fact]
    public void CompareJsonCarriesTheMetricsAndTheTablePrintsThem()
    {
        var dir = CliRunner.TempDir();
        var data = Simulate(dir, "linear");
        string[] args = ["compare", "--data", data, .. Columns, "--exclude", "tau_v,tau_c,propensity,oracle_score", "--models", "tlearner,rlearner", "--repeats", "1"];
        var j = CliRunner.Json(args);
        var m = j["results"]![0]!["metrics_first_repeat"]!;
        Assert.True((double)m["qini_coefficient"]! > 0);
        Assert.Equal(10, m["deciles"]!.AsArray().Count);
        Assert.NotNull(m["calibration"]!["value"]); // the T-learner estimates effects
        Assert.NotNull(j["results"]![1]!["metrics_first_repeat"]!["rate_autoc_vs_first"]);
        Assert.Null(j["observational_first_repeat"]);
        var text = CliRunner.Ok(args);
        Assert.Contains("Qini coef", text);
    }

    [Fact]
    public void ComparePropensityFlagsMakeTheEvaluationObservational()
    {
        var dir = CliRunner.TempDir();
        var data = Simulate(dir, "confounded");
        var j = CliRunner.Json(["compare", "--data", data, .. Columns, "--exclude", "tau_v,tau_c,oracle_score", "--propensity", "propensity",
            "--doubly-robust", "--models", "tlearner", "--repeats", "1"]);
        Assert.Equal("doubly-robust", (string)j["observational_first_repeat"]!["adjustment"]!);
        var bad = CliRunner.Run(["compare", "--data", data, .. Columns, "--trim", "0.05", "--models", "tlearner"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--trim", bad.Err);
    }
}
