namespace Uplift.Hostile;

/// <summary>The valid files every case starts from, made once with 'uplift simulate' and 'uplift train' (small:
/// 2,000 rows, 5 features, few steps and trees). Cases copy them into their own folders.</summary>
public sealed class BaseFiles
{
    public required string Dir { get; init; }
    public string Csv => Path.Combine(Dir, "base.csv");
    public string Parquet => Path.Combine(Dir, "base.parquet");
    public string Drm => Path.Combine(Dir, "drm.json");
    public string Mlp => Path.Combine(Dir, "mlp.json");
    public string TLearner => Path.Combine(Dir, "tlearner.json");
    public string Forest => Path.Combine(Dir, "forest.json");
    public string PlanFile => Path.Combine(Dir, "plan.json");
    public string AssignFile => Path.Combine(Dir, "assign.csv");

    public const string Rows = "2000";
    public static readonly string[] Roles =
        ["--treatment", "treatment", "--value", "value", "--cost", "cost", "--id", "user_id", "--exclude", "tau_v,tau_c,propensity,oracle_score"];

    /// <summary>A quick train command line (DRM, 20 steps, 1 restart) on <paramref name="data"/>.</summary>
    public static string[] Train(string data, string output, params string[] extra) =>
        ["train", "--model", "drm", "--data", data, .. Roles, "--steps", "20", "--restarts", "1", "--out", output, .. extra];

    public static string[] Score(string model, string data, string output, params string[] extra) =>
        ["score", "--model", model, "--data", data, "--out", output, .. extra];

    public static string[] Evaluate(string data, params string[] extra) =>
        ["evaluate", "--data", data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--score", "oracle_score", "--bootstrap", "0", .. extra];

    public static string[] Plan(string model, string data, string eval, params string[] extra) =>
        ["plan", "--model", model, "--data", data, "--eval", eval, "--budget", "1000", "--bootstrap", "100", .. extra];

    public static string[] Assign(string model, string data, string plan, string output, params string[] extra) =>
        ["assign", "--model", model, "--data", data, "--plan", plan, "--budget", "1000", "--out", output, .. extra];

    public static string[] Report(string data, string model, string output, params string[] extra) =>
        ["report", "--data", data, "--model", model, "--bootstrap", "20", "--out", output, .. extra];

    readonly object _bigGate = new();

    /// <summary>200,000 users for the kill tests (made on first use).</summary>
    public string Big(IUpliftRunner runner)
    {
        var path = Path.Combine(Dir, "big.csv");
        lock (_bigGate)
        {
            if (File.Exists(path)) return path;
            var tmp = Path.Combine(Dir, "big-making.csv");
            var r = runner.Run(["simulate", "--rows", "200000", "--features", "5", "--seed", "4", "--out", tmp], null, null, TimeSpan.FromSeconds(120));
            if (r.ExitCode != 0) throw new InvalidOperationException($"making big.csv: exit {r.ExitCode}\n{r.Err}");
            File.Move(tmp, path);
            return path;
        }
    }

    public static BaseFiles Create(string dir, IUpliftRunner runner)
    {
        Directory.CreateDirectory(dir);
        var b = new BaseFiles { Dir = dir };
        void Run(params string[] args)
        {
            var r = runner.Run(args, null, null, TimeSpan.FromSeconds(120));
            if (r.ExitCode != 0) throw new InvalidOperationException($"making base files: uplift {string.Join(' ', args)} exited {r.ExitCode}\n{r.Err}");
        }
        Run("simulate", "--rows", Rows, "--features", "5", "--seed", "3", "--out", b.Csv);
        Run("simulate", "--rows", Rows, "--features", "5", "--seed", "3", "--out", b.Parquet);
        Run(Train(b.Csv, b.Drm));
        Run(["train", "--model", "drm", "--hidden", "4", "--data", b.Csv, .. Roles, "--steps", "20", "--restarts", "1", "--out", b.Mlp]);
        Run(["train", "--model", "tlearner", "--base", "ridge", "--data", b.Csv, .. Roles, "--out", b.TLearner]);
        Run(["train", "--model", "causal-forest", "--trees", "10", "--data", b.Csv, .. Roles, "--out", b.Forest]);
        Run([.. Plan(b.Drm, b.Csv, b.Csv), "--out", b.PlanFile]);
        Run(Assign(b.Drm, b.Csv, b.PlanFile, b.AssignFile));
        return b;
    }
}
