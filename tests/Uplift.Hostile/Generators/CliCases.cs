using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Uplift.Hostile.Generators;

/// <summary>Issue 9, class 4: the command-line contract. Typed options, model and enum names, inapplicable options,
/// --json, short errors with a help hint, treatment labels, budgets that cannot be spent, the program's name.</summary>
public static class CliCases
{
    static HostileCase Bad(string name, Func<CaseContext, string[]> args, string pattern, bool json = false) => new()
    {
        Class = CaseClass.Cli,
        Name = "cli/" + name,
        Prepare = c =>
        {
            var a = args(c);
            return new Prepared
            {
                Args = json ? [.. a, "--json"] : a,
                AllowedExits = [1, 2],
                ErrorPattern = pattern,
                MaxErrorLines = 2,
                MaxErrorChars = 400,
                WantsHelpHint = true,
            };
        },
    };

    static string[] TrainArgs(CaseContext c, params string[] extra) => BaseFiles.Train(c.Copy(c.Base.Csv), c.P("model.json"), extra);

    static string[] TrainModel(CaseContext c, string model, params string[] extra) =>
        ["train", "--model", model, "--data", c.Copy(c.Base.Csv), .. BaseFiles.Roles, "--out", c.P("model.json"), .. extra];

    /// <summary>(command, option, bad value) for typed options.</summary>
    static readonly (string Cmd, string Option, string Value)[] Typed =
    [
        ("simulate", "--rows", "abc"), ("simulate", "--rows", "1e3"), ("simulate", "--rows", "99999999999"), ("simulate", "--rows", "-5"),
        ("simulate", "--rows", "0"), ("simulate", "--features", "many"), ("simulate", "--treated-share", "half"),
        ("simulate", "--treated-share", "1.5"), ("simulate", "--noise", "loud"), ("simulate", "--seed", "abc"), ("simulate", "--seed", "1.5"),
        ("train", "--steps", "abc"), ("train", "--steps", "-1"), ("train", "--restarts", "1.5"), ("train", "--restarts", "0"),
        ("train", "--valid-fraction", "x"), ("train", "--valid-fraction", "1.5"), ("train", "--test-fraction", "-0.1"),
        ("train", "--learning-rate", "fast"), ("train", "--l2", "abc"), ("train", "--lambda", "NaN"), ("train", "--threads", "two"),
        ("train", "--threads", "0"), ("train", "--hidden", "4x"), ("train", "--hidden", "0"), ("train", "--seed", "-"),
        ("score", "--chunk-rows", "abc"), ("score", "--chunk-rows", "0"), ("score", "--threads", "-1"),
        ("evaluate", "--segments", "x"), ("evaluate", "--segments", "0"), ("evaluate", "--bootstrap", "many"),
        ("plan", "--budget", "abc"), ("plan", "--budget", "-5"), ("plan", "--budget", "NaN"), ("plan", "--budget", "Infinity"),
        ("plan", "--explore", "2"), ("plan", "--explore", "x"), ("plan", "--bootstrap", "10"),
        ("assign", "--budget", "lots"), ("assign", "--explore-treated", "-1"), ("assign", "--cost-per-user", "free"),
    ];

    static string[] Command(CaseContext c, string cmd, string option, string value)
    {
        string[] a = cmd switch
        {
            "simulate" => ["simulate", "--rows", "100", "--out", c.P("sim.csv")],
            "train" => BaseFiles.Train(c.Copy(c.Base.Csv), c.P("model.json")),
            "score" => BaseFiles.Score(c.Copy(c.Base.Drm), c.Copy(c.Base.Csv), c.P("scores.csv")),
            "evaluate" => BaseFiles.Evaluate(c.Copy(c.Base.Csv)),
            "plan" => ["plan", "--model", c.Copy(c.Base.Drm), "--data", c.Copy(c.Base.Csv), "--eval", c.P("base.csv"), "--budget", "1000"],
            _ => BaseFiles.Assign(c.Copy(c.Base.Drm), c.Copy(c.Base.Csv), c.Copy(c.Base.PlanFile), c.P("assign.csv")),
        };
        // Replace the option when the base command already has it, else add it.
        int i = Array.IndexOf(a, option);
        if (i >= 0) { a[i + 1] = value; return a; }
        return [.. a, option, value];
    }

    static HostileCase Works(string name, Func<CaseContext, string[]> args, Func<CaseContext, RunResult, string?>? check = null) => new()
    {
        Class = CaseClass.Cli,
        Name = "cli/" + name,
        Prepare = c =>
        {
            var a = args(c);
            return new Prepared { Args = a, AllowedExits = [0], CheckOk = check is null ? null : r => check(c, r) };
        },
    };

    static string? ModelKind(CaseContext c, string kind)
    {
        var f = c.P("model.json");
        if (!File.Exists(f)) return "no model file written";
        var k = (string?)JsonNode.Parse(File.ReadAllText(f))?["kind"];
        return k == kind ? null : $"model kind '{k}', expected '{kind}'";
    }

    public static IEnumerable<HostileCase> All()
    {
        foreach (var (cmd, option, value) in Typed)
        {
            // Named, in words, no .NET type; the value's own text may appear.
            yield return Bad($"{cmd}-{option.TrimStart('-')}-{Judge.Safe(value)}", c => Command(c, cmd, option, value), @"(--|option\s+)" + Regex.Escape(option.TrimStart('-')));
        }
        foreach (var (cmd, option, value) in Typed.Where((_, i) => i % 4 == 0))
            yield return Bad($"{cmd}-{option.TrimStart('-')}-{Judge.Safe(value)}-json", c => Command(c, cmd, option, value), @"(--|option\s+)" + Regex.Escape(option.TrimStart('-')), json: true);

        // Unknown names of models and enums.
        foreach (var (label, args, pattern) in new (string, Func<CaseContext, string[]>, string)[]
                 {
                     ("train-model-unknown", c => TrainModel(c, "xgboost"), "--model|xgboost"),
                     ("train-model-empty", c => TrainModel(c, ""), "--model"),
                     ("train-objective-unknown", c => TrainArgs(c, "--objective", "mse"), "--objective|mse"),
                     ("train-selection-unknown", c => TrainArgs(c, "--selection", "best"), "--selection|best"),
                     ("train-base-unknown", c => TrainModel(c, "tlearner", "--base", "forest"), "--base|forest"),
                     ("train-preset-unknown", c => TrainModel(c, "causal-forest", "--preset", "huge"), "--preset|huge"),
                     ("train-outcome-unknown", c => TrainModel(c, "rlearner", "--outcome", "profit"), "--outcome|profit"),
                     ("simulate-scenario-unknown", c => ["simulate", "--scenario", "chaos", "--rows", "100", "--out", c.P("s.csv")], "--scenario|chaos"),
                     ("compare-models-unknown", c => ["compare", "--models", "drm,foo", "--data", c.Copy(c.Base.Csv), .. BaseFiles.Roles], "--models|foo"),
                     ("unknown-command", c => ["frobnicate"], "frobnicate"),
                     ("unknown-option", c => TrainArgs(c, "--frobnicate", "1"), "--frobnicate"),
                     ("missing-required-out", c => ["train", "--model", "drm", "--data", c.Copy(c.Base.Csv), .. BaseFiles.Roles], "--out"),
                     ("missing-required-data", c => ["score", "--model", c.Copy(c.Base.Drm), "--out", c.P("s.csv")], "--data"),
                     ("extra-argument", c => [.. TrainArgs(c), "stray"], "stray"),
                     ("option-without-value", c => ["simulate", "--out", c.P("s.csv"), "--rows"], "--rows"),
                     ("data-missing-file", c => BaseFiles.Score(c.Copy(c.Base.Drm), c.P("nope.csv"), c.P("s.csv")), @"nope\.csv"),
                     ("model-missing-file", c => BaseFiles.Score(c.P("nope.json"), c.Copy(c.Base.Csv), c.P("s.csv")), @"nope\.json"),
                     ("treatment-column-missing", c => ["train", "--model", "drm", "--data", c.Copy(c.Base.Csv), "--treatment", "treated", "--value", "value", "--cost", "cost", "--out", c.P("m.json")], "treated"),
                     ("evaluate-score-column-missing", c => ["evaluate", "--data", c.Copy(c.Base.Csv), "--treatment", "treatment", "--value", "value", "--cost", "cost", "--score", "nosuch"], "nosuch"),
                 })
        {
            yield return Bad(label, args, pattern);
            if (label is "train-model-unknown" or "missing-required-out" or "data-missing-file" or "unknown-option")
                yield return Bad(label + "-json", args, pattern, json: true);
        }

        // Model and enum names in any case work.
        foreach (var (given, kind) in new[] { ("DRM", "drm"), ("Drm", "drm"), ("TLearner", "tlearner"), ("CRM", "crm"), ("RLearner", "rlearner") })
            yield return Works($"train-model-{given}", c => TrainModel(c, given, Quick(kind)), (c, r) => ModelKind(c, kind));
        yield return Works("train-model-CAUSAL-FOREST", c => TrainModel(c, "CAUSAL-FOREST", "--trees", "10"), (c, r) => ModelKind(c, "causal-forest"));
        yield return Works("train-objective-RATIO", c => TrainArgs(c, "--objective", "RATIO"), (c, r) => ModelKind(c, "drm"));
        yield return Works("train-selection-AUCC", c => TrainArgs(c, "--selection", "AUCC"), (c, r) => ModelKind(c, "drm"));
        yield return Works("train-base-Ridge", c => TrainModel(c, "tlearner", "--base", "Ridge"), (c, r) => ModelKind(c, "tlearner"));
        yield return Works("simulate-scenario-Linear", c => ["simulate", "--scenario", "Linear", "--rows", "100", "--out", c.P("s.csv")],
            (c, r) => File.Exists(c.P("s.csv")) ? null : "no output");

        // An option that does not apply to the model: an error, or a warning naming it (never silently ignored).
        foreach (var (model, option, value) in new[]
                 {
                     ("tlearner", "--hidden", "4"), ("rlearner", "--trees", "10"), ("drm", "--trees", "10"), ("drm", "--folds", "3"),
                     ("drm", "--top-fraction", "0.3"), ("crm", "--preset", "paper"), ("tlearner", "--lambdas", "0.1"), ("causal-forest", "--steps", "10"),
                 })
            yield return new HostileCase
            {
                Class = CaseClass.Cli,
                Name = $"cli/train-{model}-ignores-{option.TrimStart('-')}",
                Prepare = c => new Prepared
                {
                    Args = TrainModel(c, model, [option, value, .. Quick(model)]),
                    AllowedExits = [0, 1, 2],
                    ErrorPattern = Regex.Escape(option),
                    MaxErrorLines = 2,
                    CheckOk = r => r.Err.Contains(option) ? null : $"{option} was silently ignored (no error, no warning)",
                },
            };

        // --json output on success is valid JSON (the judge checks every --json run).
        yield return Works("simulate-json", c => ["simulate", "--rows", "100", "--out", c.P("s.csv"), "--json"], (c, r) => JsonOrEmpty(r, true));
        yield return Works("train-json", c => TrainArgs(c, "--json"), (c, r) => JsonOrEmpty(r, true));
        yield return Works("score-json", c => [.. BaseFiles.Score(c.Copy(c.Base.Drm), c.Copy(c.Base.Csv), c.P("s.csv")), "--json"], (c, r) => JsonOrEmpty(r, true));
        yield return Works("evaluate-json", c => [.. BaseFiles.Evaluate(c.Copy(c.Base.Csv)), "--json"], (c, r) => JsonOrEmpty(r, true));
        // Keys in one style (snake_case) across commands.
        foreach (var cmd in new[] { "train", "score", "simulate" })
            yield return Works($"{cmd}-json-snake-case", c => cmd switch
            {
                "train" => TrainArgs(c, "--json"),
                "score" => [.. BaseFiles.Score(c.Copy(c.Base.Drm), c.Copy(c.Base.Csv), c.P("s.csv")), "--json"],
                _ => ["simulate", "--rows", "100", "--out", c.P("s.csv"), "--json"],
            }, (c, r) => SnakeCase(r));

        // Treatment labels as growth-team exports write them.
        foreach (var (label, t, u) in new[]
                 {
                     ("true-false", "true", "false"), ("TRUE-FALSE", "TRUE", "FALSE"), ("yes-no", "yes", "no"), ("Yes-No", "Yes", "No"),
                     ("treatment-control", "treatment", "control"), ("Treatment-Control", "Treatment", "Control"), ("one-zero-decimal", "1.0", "0.0"),
                 })
            yield return new HostileCase
            {
                Class = CaseClass.Cli,
                Name = $"cli/train-treatment-{label}",
                Prepare = c => Labels(c, t, u, [0], null),
            };
        yield return new HostileCase { Class = CaseClass.Cli, Name = "cli/train-treatment-A-B-with-control", Prepare = c => Labels(c, "B", "A", [0], "A") };
        yield return new HostileCase { Class = CaseClass.Cli, Name = "cli/train-treatment-A-B-ambiguous", Prepare = c => Labels(c, "B", "A", [2], null) };
        yield return new HostileCase { Class = CaseClass.Cli, Name = "cli/train-treatment-2-0", Prepare = c => Labels(c, "2", "0", [2], null) };

        // Budgets that cannot be spent say so.
        foreach (var cmd in new[] { "plan", "assign" })
            yield return new HostileCase
            {
                Class = CaseClass.Cli,
                Name = $"cli/{cmd}-budget-too-large",
                Prepare = c =>
                {
                    var m = c.Copy(c.Base.Drm);
                    var d = c.Copy(c.Base.Csv);
                    string[] a = cmd == "plan"
                        ? ["plan", "--model", m, "--data", d, "--eval", d, "--budget", "1e12", "--bootstrap", "100"]
                        : ["assign", "--model", m, "--data", d, "--eval", d, "--budget", "1e12", "--bootstrap", "100", "--out", c.P("a.csv")];
                    const string says = @"exceed|larger than|cannot be spent|can't be spent|more than|everyone|all candidates|whole budget|unspent|left over";
                    return new Prepared
                    {
                        Args = a, AllowedExits = [0, 2], ErrorPattern = says,
                        CheckOk = r => Regex.IsMatch(r.Out + r.Err, says, RegexOptions.IgnoreCase) ? null : "a budget larger than treating everyone, accepted without saying so",
                    };
                },
            };

        // assign --budget with only the model (a DRM trained with the default validation split), no --eval.
        yield return Works("assign-budget-model-only", c =>
            {
                var d = c.Copy(c.Base.Csv);
                return ["assign", "--model", c.Copy(c.Base.Drm), "--data", d, "--id", "user_id", "--budget", "150", "--explore", "0.1", "--seed", "5", "--out", c.P("a.csv")];
            }, (c, r) => File.Exists(c.P("a.csv")) ? null : "no campaign file written");

        // The program calls itself uplift.
        yield return Works("help-says-uplift", c => ["--help"], (c, r) => Regex.IsMatch(r.Out, @"Usage:\s+uplift\b") ? null : "help does not say 'Usage: uplift'");
        yield return Works("train-help-says-uplift", c => ["train", "--help"], (c, r) => Regex.IsMatch(r.Out, @"Usage:\s+uplift train\b") ? null : "help does not say 'Usage: uplift train'");
        yield return Works("version", c => ["--version"], (c, r) => r.Out.Trim().Length > 0 ? null : "no version printed");
    }

    static string[] Quick(string model) => model == "causal-forest" ? ["--trees", "10"] : model is "drm" or "crm" ? ["--steps", "20", "--restarts", "1"] : [];

    static string? JsonOrEmpty(RunResult r, bool mustHave) =>
        r.Out.Trim().Length == 0 ? (mustHave ? "--json printed nothing" : null) : Judge.IsJson(r.Out) ? null : "--json output is not valid JSON";

    static string? SnakeCase(RunResult r)
    {
        if (!Judge.IsJson(r.Out)) return "--json output is not valid JSON";
        var bad = new List<string>();
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o)
                foreach (var kv in o)
                {
                    if (!Regex.IsMatch(kv.Key, "^[a-z0-9_.]+$")) bad.Add(kv.Key);
                    Walk(kv.Value);
                }
            else if (n is JsonArray a) foreach (var x in a) Walk(x);
        }
        Walk(JsonNode.Parse(r.Out));
        return bad.Count == 0 ? null : "keys not in snake_case: " + string.Join(", ", bad.Distinct().Take(5));
    }

    /// <summary>The base CSV with the treatment column relabelled; when accepted, the model must equal the 0/1 one.</summary>
    static Prepared Labels(CaseContext c, string treated, string control, int[] exits, string? controlOption)
    {
        var lines = Csv.Lines(c.Base.Csv);
        int t = Csv.Col(lines[0], "treatment");
        for (int i = 1; i < lines.Length; i++) lines[i] = Csv.SetCell(lines[i], t, lines[i].Split(',')[t] == "1" ? treated : control);
        var data = c.P("labels.csv");
        Csv.Write(data, lines);
        string[] extra = controlOption is null ? [] : ["--control", controlOption];
        return new Prepared
        {
            Args = BaseFiles.Train(data, c.P("model.json"), extra),
            Inputs = [data],
            AllowedExits = exits,
            ErrorPattern = @"treatment|--control",
            MaxErrorLines = 2,
            CheckOk = r =>
            {
                Directory.CreateDirectory(c.P("ref"));
                c.Reference(BaseFiles.Train(c.Copy(c.Base.Csv, "ref/base.csv"), c.P("ref/model.json")));
                string Model(string p) => JsonNode.Parse(File.ReadAllText(p))!["model"]!.ToJsonString();
                return File.Exists(c.P("model.json")) && Model(c.P("model.json")) == Model(c.P("ref/model.json"))
                    ? null : "exit 0 but the model differs from the one trained on 0/1 labels";
            },
        };
    }
}
