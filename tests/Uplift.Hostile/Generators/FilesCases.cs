namespace Uplift.Hostile.Generators;

/// <summary>Issue 9, class 1: files are never destroyed. Outputs that resolve to an input, outputs that are devices,
/// FIFOs or symlinks, long names, missing folders, failed writes.</summary>
public static class FilesCases
{
    /// <summary>An input of a command: the option, the base file it copies, and the name in the case folder.</summary>
    sealed record Input(string Option, Func<BaseFiles, string> Source, string Name);

    /// <summary>A command with inputs and one output option; Args gets the input paths (by option) and the output.</summary>
    sealed record Command(string Name, string OutOption, Input[] Inputs, Func<IReadOnlyDictionary<string, string>, string, string[]> Args);

    static readonly Command[] Collisions =
    [
        new("score", "--out", [new("--data", b => b.Csv, "users.csv"), new("--model", b => b.Drm, "model.json")],
            (i, o) => BaseFiles.Score(i["--model"], i["--data"], o)),
        new("train", "--out", [new("--data", b => b.Csv, "campaign.csv")],
            (i, o) => BaseFiles.Train(i["--data"], o)),
        new("report", "--out", [new("--data", b => b.Csv, "holdout.csv"), new("--model", b => b.Drm, "model.json")],
            (i, o) => BaseFiles.Report(i["--data"], i["--model"], o)),
        new("plan", "--out", [new("--model", b => b.Drm, "model.json"), new("--data", b => b.Csv, "candidates.csv"), new("--eval", b => b.Csv, "eval.csv")],
            (i, o) => [.. BaseFiles.Plan(i["--model"], i["--data"], i["--eval"]), "--out", o]),
        new("assign", "--out", [new("--model", b => b.Drm, "model.json"), new("--data", b => b.Csv, "candidates.csv"), new("--plan", b => b.PlanFile, "plan.json")],
            (i, o) => BaseFiles.Assign(i["--model"], i["--data"], i["--plan"], o)),
        new("evaluate", "--plot", [new("--data", b => b.Csv, "holdout.csv")],
            (i, o) => BaseFiles.Evaluate(i["--data"], "--plot", o)),
        new("simulate-outcomes", "--out", [new("--assignments", b => b.AssignFile, "assign.csv"), new("--truth", b => b.Csv, "truth.csv")],
            (i, o) => ["simulate-outcomes", "--assignments", i["--assignments"], "--truth", i["--truth"], "--out", o]),
        new("compare", "--plot", [new("--data", b => b.Csv, "campaign.csv")],
            (i, o) => ["compare", "--models", "tlearner", "--repeats", "1", "--data", i["--data"], .. BaseFiles.Roles, "--plot", o]),
    ];

    /// <summary>Spellings of one path: itself, with ./, through a sibling folder and .., a symlink, a hard link.</summary>
    static readonly string[] Forms = ["same", "dot", "dotdot", "symlink", "hardlink"];

    static string Spell(CaseContext c, string target, string form)
    {
        var name = Path.GetFileName(target);
        switch (form)
        {
            case "same": return target;
            case "dot": return c.Dir + "/./" + name;
            case "dotdot":
                Directory.CreateDirectory(c.P("sub"));
                return c.Dir + "/sub/../" + name;
            case "symlink":
                var link = c.P("alias-" + name);
                File.CreateSymbolicLink(link, target);
                return link;
            case "hardlink":
                var hard = c.P("hard-" + name);
                Unix.HardLink(target, hard);
                return hard;
            default: throw new ArgumentException(form);
        }
    }

    /// <summary>Commands with one output for the special-output cases: name, output extension, arguments.</summary>
    static readonly (string Name, string Ext, Func<CaseContext, string, (string[] Args, List<string> Inputs)> Make)[] Writers =
    [
        ("simulate", ".csv", (c, o) => (["simulate", "--rows", "200", "--features", "5", "--out", o], [])),
        ("score", ".csv", (c, o) => { var d = c.Copy(c.Base.Csv); var m = c.Copy(c.Base.Drm); return (BaseFiles.Score(m, d, o), [d, m]); }),
        ("train", ".json", (c, o) => { var d = c.Copy(c.Base.Csv); return (BaseFiles.Train(d, o), [d]); }),
        ("assign", ".csv", (c, o) => { var d = c.Copy(c.Base.Csv); var m = c.Copy(c.Base.Drm); var p = c.Copy(c.Base.PlanFile); return (BaseFiles.Assign(m, d, p, o), [d, m, p]); }),
        ("report", ".html", (c, o) => { var d = c.Copy(c.Base.Csv); var m = c.Copy(c.Base.Drm); return (BaseFiles.Report(d, m, o), [d, m]); }),
    ];

    static string? NoTemp(string dir) => Judge.TempLeft(dir);

    public static IEnumerable<HostileCase> All()
    {
        // Output == an input, spelled five ways.
        foreach (var cmd in Collisions)
            foreach (var input in cmd.Inputs)
                foreach (var form in Forms)
                    yield return new HostileCase
                    {
                        Class = CaseClass.Files,
                        Name = $"files/{cmd.Name}-{cmd.OutOption.TrimStart('-')}-is-{input.Option.TrimStart('-')}-{form}",
                        Slow = cmd.Name == "compare",
                        Prepare = c =>
                        {
                            var paths = cmd.Inputs.ToDictionary(i => i.Option, i => c.Copy(i.Source(c.Base), i.Name));
                            var target = paths[input.Option];
                            var output = Spell(c, target, form);
                            return new Prepared
                            {
                                Args = cmd.Args(paths, output),
                                Inputs = [.. paths.Values],
                                AllowedExits = [2],
                                ErrorPattern = $@"{input.Option}|{Rx(input.Name)}|{Rx(Path.GetFileName(output))}|same file",
                                CheckIntact = () => NoTemp(c.Dir),
                            };
                        },
                    };

        // The same through a relative path from the working directory (a separate process: it needs a cwd).
        foreach (var (cmd, opt) in new[] { (Collisions[0], "--data"), (Collisions[1], "--data"), (Collisions[0], "--model") })
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{cmd.Name}-out-is-{opt.TrimStart('-')}-relative",
                ProcessOnly = true,
                Prepare = c =>
                {
                    var paths = cmd.Inputs.ToDictionary(i => i.Option, i => c.Copy(i.Source(c.Base), i.Name));
                    var rel = cmd.Inputs.ToDictionary(i => i.Option, i => i.Name);
                    return new Prepared
                    {
                        Args = cmd.Args(rel, "./" + rel[opt]),
                        WorkingDirectory = c.Dir,
                        Inputs = [.. paths.Values],
                        AllowedExits = [2],
                        ErrorPattern = $@"{opt}|{Rx(rel[opt])}|same file",
                    };
                },
            };

        foreach (var w in Writers)
        {
            // A device node as the output (a private copy of /dev/null): written through, or refused; never replaced.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-null-device",
                ProcessOnly = true,
                Prepare = c =>
                {
                    var dev = c.P("null");
                    if (!Unix.NullDevice(dev)) throw new InvalidOperationException("mknod is not allowed here (run as root)");
                    var (args, inputs) = w.Make(c, dev);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [0, 2],
                        ErrorPattern = @"null|device|regular|--out",
                        CheckIntact = () => Unix.IsCharDevice(dev) ? null : "the device node was replaced by a file",
                    };
                },
            };

            // A full disk (a private copy of /dev/full): a clear error, the device intact, no temp file.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-full-device",
                ProcessOnly = true,
                Prepare = c =>
                {
                    var dev = c.P("full" + w.Ext);
                    if (!Unix.Device(dev, 1, 7)) throw new InvalidOperationException("mknod is not allowed here (run as root)");
                    var (args, inputs) = w.Make(c, dev);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [2],
                        ErrorPattern = @"space|full|device|regular|--out",
                        CheckIntact = () => !Unix.IsCharDevice(dev) ? "the device node was replaced by a file" : NoTemp(c.Dir),
                    };
                },
            };

            // A symlink to standard output (like /dev/stdout, but a private link).
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-stdout-link",
                ProcessOnly = true,
                Prepare = c =>
                {
                    var link = c.P("stdout" + w.Ext);
                    File.CreateSymbolicLink(link, "/proc/self/fd/1");
                    var (args, inputs) = w.Make(c, link);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [0, 2],
                        ErrorPattern = @"stdout|symlink|link|regular|--out",
                        CheckIntact = () => Unix.IsSymlink(link) ? null : "the symlink to standard output was replaced by a file",
                    };
                },
            };

            // A FIFO with a reader.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-fifo",
                ProcessOnly = true,
                Prepare = c =>
                {
                    var fifo = c.P("pipe" + w.Ext);
                    Unix.Fifo(fifo);
                    var (args, inputs) = w.Make(c, fifo);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [0, 2],
                        ErrorPattern = @"fifo|pipe|regular|--out",
                        Companion = () => Unix.Cat(fifo, "/dev/null"),
                        CheckIntact = () => Unix.IsFifo(fifo) ? null : "the FIFO was replaced by a file",
                    };
                },
            };

            // An existing symlink to a regular file: written through to the target, or refused; never swapped.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-symlink",
                Prepare = c =>
                {
                    Directory.CreateDirectory(c.P("real"));
                    var target = c.P("real/target" + w.Ext);
                    File.WriteAllText(target, "old\n");
                    var link = c.P("link" + w.Ext);
                    File.CreateSymbolicLink(link, target);
                    var (args, inputs) = w.Make(c, link);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [0, 2],
                        ErrorPattern = @"link|--out",
                        CheckIntact = () => Unix.IsSymlink(link) ? NoTemp(c.Dir) ?? NoTemp(c.P("real")) : "the symlink was replaced by a plain file",
                        CheckOk = _ => File.ReadAllText(target) == "old\n" ? "exit 0 but the symlink's target still holds the old content" : null,
                    };
                },
            };

            // A dangling symlink.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-dangling-symlink",
                Prepare = c =>
                {
                    var target = c.P("nowhere" + w.Ext);
                    var link = c.P("link" + w.Ext);
                    File.CreateSymbolicLink(link, target);
                    var (args, inputs) = w.Make(c, link);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [0, 2],
                        ErrorPattern = @"link|--out",
                        CheckIntact = () => Unix.IsSymlink(link) ? NoTemp(c.Dir) : "the symlink was replaced by a plain file",
                        CheckOk = _ => File.Exists(target) ? null : "exit 0 but the symlink's target was not written",
                    };
                },
            };

            // The output is an existing folder.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-is-folder",
                Prepare = c =>
                {
                    var folder = c.P("folder" + w.Ext);
                    Directory.CreateDirectory(folder);
                    var keep = Path.Combine(folder, "keep.txt");
                    File.WriteAllText(keep, "keep\n");
                    var (args, inputs) = w.Make(c, folder);
                    return new Prepared
                    {
                        Args = args, Inputs = [.. inputs, keep], AllowedExits = [2],
                        ErrorPattern = $@"folder|director|{Rx("folder" + w.Ext)}",
                        CheckIntact = () => Directory.Exists(folder) ? NoTemp(c.Dir) : "the folder was replaced",
                    };
                },
            };

            // Long but valid names (the name alone; the folder is short).
            foreach (int len in new[] { 224, 230, 250 })
                yield return new HostileCase
                {
                    Class = CaseClass.Files,
                    Name = $"files/{w.Name}-out-name-{len}-chars",
                    Prepare = c =>
                    {
                        var output = c.P(new string('n', len - w.Ext.Length) + w.Ext);
                        var (args, inputs) = w.Make(c, output);
                        return new Prepared
                        {
                            Args = args, Inputs = inputs, AllowedExits = [0],
                            CheckOk = _ => File.Exists(output) && new FileInfo(output).Length > 0 ? NoTemp(c.Dir) : "the output was not written",
                        };
                    },
                };

            // Missing folders: created, or refused naming the folder.
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{w.Name}-out-missing-folder",
                Prepare = c =>
                {
                    var output = c.P("no/such/folder/out" + w.Ext);
                    var (args, inputs) = w.Make(c, output);
                    return new Prepared
                    {
                        Args = args, Inputs = inputs, AllowedExits = [0, 2],
                        ErrorPattern = @"folder|director|no/such",
                        CheckOk = _ => File.Exists(output) ? null : "exit 0 but the output was not written",
                    };
                },
            };
        }

        // A write that fails half-way (a bad row near the end) keeps the old output and leaves no temporary file.
        foreach (var cmd in new[] { "score", "train", "assign" })
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = $"files/{cmd}-failed-write-keeps-old-output",
                Prepare = c =>
                {
                    var data = c.P("data.csv");
                    var lines = File.ReadAllLines(c.Base.Csv);
                    lines[^2] = Csv.SetCell(lines[^2], 1, "oops");
                    File.WriteAllLines(data, lines);
                    var m = c.Copy(c.Base.Drm);
                    var p = c.Copy(c.Base.PlanFile);
                    var output = c.P(cmd == "train" ? "out.json" : "out.csv");
                    File.WriteAllText(output, "old\n");
                    string[] args = cmd switch
                    {
                        "score" => BaseFiles.Score(m, data, output, "--chunk-rows", "256"),
                        "train" => BaseFiles.Train(data, output),
                        _ => BaseFiles.Assign(m, data, p, output),
                    };
                    return new Prepared
                    {
                        Args = args, Inputs = [data, m, p, output], AllowedExits = [2],
                        ErrorPattern = @"oops|x0|row|line",
                        CheckIntact = () => NoTemp(c.Dir),
                    };
                },
            };
    }

    /// <summary>Kill tests: SIGKILL a writer at a seeded random moment; the output must be the old file or the
    /// complete new one, and the next (unkilled) run must succeed and leave no temporary file.</summary>
    public static IEnumerable<HostileCase> KillCases()
    {
        for (int trial = 0; trial < 6; trial++)
        {
            int t = trial;
            bool score = t < 4;
            yield return new HostileCase
            {
                Class = CaseClass.Files,
                Name = score ? $"files/kill-score-200k-rows-{t}" : $"files/kill-train-causal-forest-{t}",
                ProcessOnly = true,
                Slow = true,
                Prepare = c =>
                {
                    var output = c.P(score ? "scores.csv" : "model.json");
                    string[] args;
                    int rows = 0;
                    if (score)
                    {
                        var big = c.Base.Big(c.Runner);
                        rows = File.ReadLines(big).Count() - 1;
                        args = BaseFiles.Score(c.Copy(c.Base.Drm), big, output, "--chunk-rows", "8192");
                    }
                    else args = ["train", "--model", "causal-forest", "--trees", "1000", "--data", c.Copy(c.Base.Csv), .. BaseFiles.Roles, "--out", output];
                    // A first, complete run times the command and leaves the "old" output; the kill then lands at a
                    // seeded random point between half-way and just past the end (where the output is written).
                    var first = c.Reference(args);
                    var old = File.ReadAllText(output);
                    var kill = first.Elapsed * (0.5 + 0.55 * new Random(1000 + t).NextDouble());
                    string? Complete()
                    {
                        var text = File.Exists(output) ? File.ReadAllText(output) : null;
                        if (text is null) return "the output is gone (neither the old file nor the new one)";
                        if (text == old) return null;
                        if (score)
                        {
                            int lines = text.Count(ch => ch == '\n');
                            return lines == rows + 1 ? null : $"the output is partial ({lines} of {rows + 1} lines)";
                        }
                        return Judge.IsJson(text) ? null : "the model file is partial (not valid JSON)";
                    }
                    return new Prepared
                    {
                        Args = args,
                        KillAfter = kill,
                        AllowedExits = [0],
                        AfterKill = _ =>
                        {
                            if (Complete() is { } bad) return bad;
                            var next = c.Runner.Run(args, null, null, TimeSpan.FromSeconds(120));
                            if (next.ExitCode != 0) return $"the next run failed (exit {next.ExitCode}): {Judge.ErrorText(next.Err)}";
                            return Complete() ?? Judge.TempLeft(c.Dir);
                        },
                    };
                },
            };
        }
    }

    static string Rx(string s) => System.Text.RegularExpressions.Regex.Escape(s);
}
