using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Uplift.Hostile.Generators;

/// <summary>Issue 9, class 2: malformed CSV, Parquet and stream inputs to score, train and evaluate.</summary>
public static class DataCases
{
    /// <summary>A command that reads one data file: its arguments, and how two successful runs are compared
    /// (the "read correctly" check: the same result as on the canonical file).</summary>
    sealed record Reader(string Name, string Column, Func<CaseContext, string, string, string[]> Args, Func<CaseContext, string, RunResult, string> Result);

    static readonly Reader Score = new("score", "x0",
        (c, data, outDir) => BaseFiles.Score(c.Base.Drm, data, Path.Combine(outDir, "scores.csv")),
        (c, outDir, r) => File.Exists(Path.Combine(outDir, "scores.csv")) ? File.ReadAllText(Path.Combine(outDir, "scores.csv")) : "(no output)");

    static readonly Reader Train = new("train", "x0",
        (c, data, outDir) => BaseFiles.Train(data, Path.Combine(outDir, "model.json")),
        (c, outDir, r) => ModelNumbers(Path.Combine(outDir, "model.json")));

    static readonly Reader Evaluate = new("evaluate", "value",
        (c, data, outDir) => [.. BaseFiles.Evaluate(data), "--json"],
        (c, outDir, r) => Numbers(r.Out));

    static readonly Reader[] Readers = [Score, Train, Evaluate];

    /// <summary>The numbers of a model file that depend on the data (preprocessor and fitted model), in order.</summary>
    static string ModelNumbers(string path)
    {
        if (!File.Exists(path)) return "(no model)";
        var j = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        return Numbers(j["preprocessor"]?.ToJsonString() ?? "") + "|" + Numbers(j["model"]?.ToJsonString() ?? "");
    }

    /// <summary>All numbers in a JSON text, in order (ignores names and paths, which differ between runs).</summary>
    static string Numbers(string json)
    {
        if (!Judge.IsJson(json)) return "(not JSON)";
        var sb = new StringBuilder();
        void Walk(JsonNode? n, string key)
        {
            switch (n)
            {
                case JsonObject o: foreach (var kv in o) Walk(kv.Value, kv.Key); break;
                case JsonArray a: foreach (var x in a) Walk(x, key); break;
                case JsonValue v when v.TryGetValue<double>(out var d) && !key.Contains("second", StringComparison.OrdinalIgnoreCase)
                                       && !key.Contains("per_s", StringComparison.OrdinalIgnoreCase) && !key.Contains("persecond", StringComparison.OrdinalIgnoreCase):
                    sb.Append(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(' ');
                    break;
            }
        }
        Walk(JsonNode.Parse(json), "");
        return sb.ToString();
    }

    /// <summary>A case whose file is the base CSV edited by <paramref name="edit"/>; when 0 is allowed and
    /// <paramref name="canonical"/> gives the file it must read as, the result must equal a run on that file.</summary>
    static HostileCase Edited(Reader rd, string name, Func<CaseContext, string[], string, IEnumerable<string>> edit, int[] exits, string pattern,
        Func<CaseContext, string[], string, IEnumerable<string>>? canonical = null, Func<string, byte[]>? encode = null, bool slow = false,
        string file = "data.csv", int maxChars = 600) =>
        new()
        {
            Class = CaseClass.Data,
            Name = $"data/{rd.Name}-{name}",
            Slow = slow,
            Prepare = c =>
            {
                var lines = Csv.Lines(c.Base.Csv);
                var data = c.P(file);
                var text = string.Join("\n", edit(c, lines, rd.Column)) + "\n";
                File.WriteAllBytes(data, encode?.Invoke(text) ?? new UTF8Encoding(false).GetBytes(text));
                Directory.CreateDirectory(c.P("out"));
                return new Prepared
                {
                    Args = rd.Args(c, data, c.P("out")),
                    Inputs = [data],
                    AllowedExits = exits,
                    ErrorPattern = pattern,
                    MaxErrorChars = maxChars,
                    CheckOk = r =>
                    {
                        if (canonical is null) return null;
                        Directory.CreateDirectory(c.P("ref"));
                        var refData = Path.Combine(c.P("ref"), file);
                        Csv.Write(refData, canonical(c, Csv.Lines(c.Base.Csv), rd.Column));
                        Directory.CreateDirectory(c.P("ref/out"));
                        var rr = c.Reference(rd.Args(c, refData, c.P("ref/out")));
                        var got = rd.Result(c, c.P("out"), r);
                        var want = rd.Result(c, c.P("ref/out"), rr);
                        return got == want ? null : "exit 0 but the values read differ from the canonical file's";
                    },
                };
            },
        };

    /// <summary>Rows 1..20 (data rows) of <paramref name="column"/> set to <paramref name="raw"/> (quoted when needed).</summary>
    static IEnumerable<string> Cells(string[] lines, string column, string raw)
    {
        int col = Csv.Col(lines[0], column);
        for (int i = 1; i <= 20; i++) lines[i] = Csv.SetCell(lines[i], col, Csv.Quote(raw));
        return lines;
    }

    /// <summary>Number spellings: (label, raw cell, canonical number or null when it must be refused).</summary>
    static readonly (string Label, string Raw, string? Canonical)[] Numbers_ =
    [
        ("decimal-comma", "1,5", "1.5"),
        ("thousands-comma", "1,234.5", "1234.5"),
        ("thousands-space", "1 234", "1234"),
        ("underscore", "1_000", "1000"),
        ("trailing-nul", "0.5\0\0", "0.5"),
        ("hex", "0x1A", "26"),
        ("plus-sign", "+1.5", "1.5"),
        ("padded", "  1.5  ", "1.5"),
        ("unicode-minus", "\u22121.5", "-1.5"),
        ("two-dots", "1.5.2", null),
        ("overflow", "1e400", null),
        ("trailing-letters", "12abc", null),
        ("percent", "15%", null),
        ("currency", "$5", null),
        ("arabic-digits", "\u0661\u0665", null),
        ("double-minus", "--1", null),
    ];

    const string RowCol = @"row|line|column|x0|value";

    public static IEnumerable<HostileCase> All()
    {
        foreach (var rd in Readers)
        {
            foreach (var (label, raw, canon) in Numbers_)
                yield return Edited(rd, "number-" + label, (c, l, col) => Cells(l, col, raw), canon is null ? [2] : [0, 2],
                    $@"(row|line)[\s\S]*({rd.Column})|({rd.Column})[\s\S]*(row|line)",
                    canon is null ? null : (c, l, col) => Cells(l, col, canon));

            // Quotes.
            foreach (var (where, row) in new[] { ("start", 1), ("middle", 1000), ("end", 2000) })
                yield return Edited(rd, $"unterminated-quote-{where}", (c, l, col) =>
                {
                    int j = Csv.Col(l[0], col);
                    l[row] = Csv.SetCell(l[row], j, "\"0.5");
                    return l;
                }, [2], "quote");
            foreach (var (label, raw) in new[] { ("inner", "1\"2"), ("after", "\"1\"2"), ("trailing", "1\"\"") })
                yield return Edited(rd, $"stray-quote-{label}", (c, l, col) =>
                {
                    int j = Csv.Col(l[0], col);
                    l[7] = Csv.SetCell(l[7], j, raw);
                    return l;
                }, [2], $"quote|{RowCol}");

            // A 5 KB bad cell: named, not echoed whole.
            yield return Edited(rd, "bad-cell-5kb", (c, l, col) => Cells(l, col, new string('z', 5000)), [2], RowCol, maxChars: 400);
            // A field above the parser's 16 MB buffer, bare and quoted.
            yield return Edited(rd, "field-17mb", (c, l, col) =>
            {
                int j = Csv.Col(l[0], col);
                l[5] = Csv.SetCell(l[5], j, new string('7', 17 << 20));
                return l;
            }, [2], $"long|large|field|{RowCol}", slow: true);
            yield return Edited(rd, "quoted-field-17mb", (c, l, col) =>
            {
                l[5] = Csv.SetCell(l[5], 0, "\"" + new string('u', 17 << 20) + "\"");
                return l;
            }, [2], $"long|large|field|{RowCol}|user_id", slow: true);

            // Encodings and line ends.
            yield return Edited(rd, "bom-utf8", (c, l, col) => l, [0, 2], "bom|encoding|utf", (c, l, col) => l,
                encode: t => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(t)]);
            yield return Edited(rd, "utf16-le", (c, l, col) => l, [0, 2], "utf-?16|encoding|bom|nul|column|header", (c, l, col) => l,
                encode: t => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(t)]);
            yield return Edited(rd, "crlf", (c, l, col) => l, [0], "", (c, l, col) => l,
                encode: t => Encoding.UTF8.GetBytes(t.Replace("\n", "\r\n")));
            yield return Edited(rd, "cr-only", (c, l, col) => l, [0, 2], "line|column|header|row", (c, l, col) => l,
                encode: t => Encoding.UTF8.GetBytes(t.Replace("\n", "\r")));
            yield return Edited(rd, "nul-bytes-file", (c, l, col) => [], [2], $"nul|binary|header|column|empty|data\\.csv",
                encode: _ => new byte[4096]);
            // For score a NUL in a feature's name means the model's column is missing; train takes any name (0 allowed).
            yield return Edited(rd, "nul-in-header", (c, l, col) => { l[0] = l[0].Replace(col, col + "\0"); return l; }, rd == Train ? [0, 2] : [2],
                $"nul|{col(rd)}|column|header");

            // Shapes.
            yield return Edited(rd, "empty-file", (c, l, col) => [], [2], @"empty|header|no data|data\.csv", encode: _ => []);
            yield return Edited(rd, "whitespace-file", (c, l, col) => [], [2], @"empty|header|no data|data\.csv|column", encode: _ => "  \n\n \n"u8.ToArray());
            yield return Edited(rd, "header-only", (c, l, col) => [l[0]], rd == Score ? [0, 2] : [2], @"no (data )?rows|empty|header|data\.csv",
                rd == Score ? (c, l, col) => [l[0]] : null);
            yield return Edited(rd, "duplicate-header", (c, l, col) =>
            {
                var h = l[0].Split(',');
                int j = Array.IndexOf(h, col);
                h[j == 1 ? 2 : 1] = col;
                l[0] = string.Join(',', h);
                return l;
            }, [2], $"duplicate|{col(rd)}");
            // A required column left out (train: the value role, since its features are "all other columns").
            string need = rd == Train ? "value" : rd.Column;
            yield return Edited(rd, "missing-column", (c, l, col) => l.Select(x => string.Join(',', x.Split(',').Where((_, k) => k != Csv.Col(l[0], need)))), [2],
                $"{need}|column|missing");
            yield return Edited(rd, "short-row", (c, l, col) => { l[10] = string.Join(',', l[10].Split(',')[..^2]); return l; }, [2],
                @"row|line|field|column|11|10");
            yield return Edited(rd, "long-row", (c, l, col) => { l[10] += ",9,9"; return l; }, [2], @"row|line|field|column|11|10");
            yield return Edited(rd, "truncated-last-row", (c, l, col) => { l[^1] = l[^1][..(l[^1].Length / 2)]; return l; }, [2],
                @"row|line|field|column|2000|2001");
            yield return Edited(rd, "blank-line-inside", (c, l, col) => [.. l[..500], "", .. l[500..]], [0, 2], @"row|line|blank|empty|501",
                (c, l, col) => l);
        }

        foreach (var k in ParquetCases()) yield return k;
        foreach (var k in StreamCases()) yield return k;
        foreach (var k in ThreadCases()) yield return k;
    }

    static string col(Reader rd) => rd.Column;

    // ---- Parquet ------------------------------------------------------------------------------------------------

    static readonly (string Label, Func<byte[], Random, byte[]> Damage)[] ParquetDamage =
    [
        ("truncated-half", (b, _) => b[..(b.Length / 2)]),
        ("truncated-10-bytes", (b, _) => b[..^10]),
        ("no-tail-magic", (b, _) => b[..^4]),
        ("zeroed-footer", (b, _) => { var x = (byte[])b.Clone(); int len = BitConverter.ToInt32(x, x.Length - 8); Array.Clear(x, x.Length - 8 - len, len); return x; }),
        ("zeroed-last-8", (b, _) => { var x = (byte[])b.Clone(); Array.Clear(x, x.Length - 8, 8); return x; }),
        ("huge-footer-length", (b, _) => { var x = (byte[])b.Clone(); BitConverter.GetBytes(0x7FFFFFF0).CopyTo(x, x.Length - 8); return x; }),
        ("footer-length-past-start", (b, _) => { var x = (byte[])b.Clone(); BitConverter.GetBytes(x.Length + 100).CopyTo(x, x.Length - 8); return x; }),
        ("wrong-head-magic", (b, _) => { var x = (byte[])b.Clone(); "PARX"u8.CopyTo(x); return x; }),
        ("zero-length", (b, _) => []),
        ("random-1kb", (b, r) => { var x = new byte[1024]; r.NextBytes(x); return x; }),
        ("random-64kb-with-magic", (b, r) => { var x = new byte[65536]; r.NextBytes(x); "PAR1"u8.CopyTo(x); "PAR1"u8.CopyTo(x.AsSpan(x.Length - 4)); return x; }),
        ("scrambled-middle", (b, r) => { var x = (byte[])b.Clone(); for (int i = x.Length / 3; i < x.Length / 3 + 4096 && i < x.Length - 8; i++) x[i] = (byte)r.Next(256); return x; }),
    ];

    static IEnumerable<HostileCase> ParquetCases()
    {
        foreach (var rd in new[] { Score, Train })
        {
            int seed = 0;
            foreach (var (label, damage) in ParquetDamage)
            {
                int s = ++seed;
                yield return new HostileCase
                {
                    Class = CaseClass.Data,
                    Name = $"data/{rd.Name}-parquet-{label}",
                    Prepare = c =>
                    {
                        var data = c.P("data.parquet");
                        File.WriteAllBytes(data, damage(File.ReadAllBytes(c.Base.Parquet), new Random(s)));
                        Directory.CreateDirectory(c.P("out"));
                        return new Prepared
                        {
                            Args = rd.Args(c, data, c.P("out")),
                            Inputs = [data],
                            AllowedExits = label == "scrambled-middle" ? [0, 2] : [2],
                            ErrorPattern = @"parquet|data\.parquet|footer|magic|truncat|corrupt|damaged",
                        };
                    },
                };
            }

            // Column types other than double: read (same result as the CSV with the same numbers) or refused by name.
            foreach (var (label, column, kind) in new[]
                     {
                         ("int64", "x0", ParquetKind.Int64), ("int32", "x0", ParquetKind.Int32), ("float32", "x0", ParquetKind.Float),
                         ("bool", "x4", ParquetKind.Bool), ("numeric-strings", "x0", ParquetKind.NumericString),
                         ("text-strings", "x0", ParquetKind.TextString), ("nullable-with-nulls", "x0", ParquetKind.NullableDouble),
                         ("all-null", "x0", ParquetKind.AllNull), ("treatment-bool", "treatment", ParquetKind.Bool),
                         ("treatment-int64", "treatment", ParquetKind.Int64),
                     })
            {
                if (rd == Score && column == "treatment") continue;
                bool mustRefuse = kind is ParquetKind.TextString;
                yield return new HostileCase
                {
                    Class = CaseClass.Data,
                    Name = $"data/{rd.Name}-parquet-{label}-{column}",
                    Prepare = c =>
                    {
                        var data = c.P("data.parquet");
                        var canonical = ParquetWriterHelper.Write(c.Base.Csv, data, column, kind);
                        Directory.CreateDirectory(c.P("out"));
                        return new Prepared
                        {
                            Args = rd.Args(c, data, c.P("out")),
                            Inputs = [data],
                            AllowedExits = mustRefuse ? [2] : kind == ParquetKind.AllNull && rd == Score ? [0, 2] : kind == ParquetKind.AllNull ? [2] : [0, 2],
                            ErrorPattern = $@"{column}",
                            CheckOk = r =>
                            {
                                Directory.CreateDirectory(c.P("ref/out"));
                                var refData = c.P("ref/data.csv");
                                Csv.Write(refData, canonical);
                                var rr = c.Reference(rd.Args(c, refData, c.P("ref/out")));
                                return rd.Result(c, c.P("out"), r) == rd.Result(c, c.P("ref/out"), rr) ? null
                                    : $"exit 0 but the {label} column reads differently from the same numbers in a CSV";
                            },
                        };
                    },
                };
            }
        }
    }

    // ---- Streams (separate processes: stdin, FIFOs, devices) ----------------------------------------------------

    static IEnumerable<HostileCase> StreamCases()
    {
        foreach (var rd in Readers)
        {
            yield return new HostileCase
            {
                Class = CaseClass.Data,
                Name = $"data/{rd.Name}-fifo-no-writer",
                ProcessOnly = true,
                Prepare = c =>
                {
                    var fifo = c.P("data.csv");
                    Unix.Fifo(fifo);
                    Directory.CreateDirectory(c.P("out"));
                    return new Prepared
                    {
                        Args = rd.Args(c, fifo, c.P("out")), AllowedExits = [2], Timeout = TimeSpan.FromSeconds(15),
                        ErrorPattern = @"fifo|pipe|regular|stream|data\.csv",
                    };
                },
            };
            foreach (var dev in new[] { "/dev/zero", "/dev/urandom" })
                yield return new HostileCase
                {
                    Class = CaseClass.Data,
                    Name = $"data/{rd.Name}-data-{dev[5..]}",
                    ProcessOnly = true,
                    Prepare = c =>
                    {
                        Directory.CreateDirectory(c.P("out"));
                        return new Prepared
                        {
                            Args = rd.Args(c, dev, c.P("out")), AllowedExits = [2], Timeout = TimeSpan.FromSeconds(10),
                            ErrorPattern = $@"{dev}|device|regular|cap|large|size|format|extension",
                        };
                    },
                };
        }

        foreach (var rd in new[] { Score, Train })
        {
            foreach (var via in new[] { "stdin", "fifo-writer" })
                yield return new HostileCase
                {
                    Class = CaseClass.Data,
                    Name = $"data/{rd.Name}-data-{via}",
                    ProcessOnly = true,
                    Prepare = c =>
                    {
                        var src = c.Copy(c.Base.Csv, "source.csv");
                        string data = "/dev/stdin";
                        Func<IDisposable?>? companion = null;
                        if (via == "fifo-writer")
                        {
                            data = c.P("data.csv");
                            Unix.Fifo(data);
                            companion = () => Unix.Cat(src, data);
                        }
                        Directory.CreateDirectory(c.P("out"));
                        return new Prepared
                        {
                            Args = rd.Args(c, data, c.P("out")),
                            StdinFile = via == "stdin" ? src : null,
                            Companion = companion,
                            Inputs = [src],
                            AllowedExits = [0, 2],
                            Timeout = TimeSpan.FromSeconds(15),
                            ErrorPattern = @"stdin|fifo|pipe|stream|regular|seek|format|extension",
                            CheckOk = r =>
                            {
                                Directory.CreateDirectory(c.P("ref/out"));
                                var rr = c.Reference(rd.Args(c, src, c.P("ref/out")));
                                return rd.Result(c, c.P("out"), r) == rd.Result(c, c.P("ref/out"), rr) ? null : "exit 0 but the stream was read differently from the file";
                            },
                        };
                    },
                };

            // gzip bombs: a 1 GB field, 1 GB of NUL bytes, 1 GB of blank lines behind a valid header.
            foreach (var (label, fill) in new[] { ("field", (byte)'7'), ("nul", (byte)0), ("newlines", (byte)'\n') })
                yield return new HostileCase
                {
                    Class = CaseClass.Data,
                    Name = $"data/{rd.Name}-gzip-bomb-{label}",
                    ProcessOnly = true,
                    Slow = true,
                    Prepare = c =>
                    {
                        var bomb = Bomb(c.Base, label, fill);
                        var data = c.Copy(bomb, "data.csv.gz");
                        Directory.CreateDirectory(c.P("out"));
                        return new Prepared
                        {
                            Args = rd.Args(c, data, c.P("out")), Inputs = [data], AllowedExits = [2], Timeout = TimeSpan.FromSeconds(30),
                            ErrorPattern = @"large|long|cap|size|field|nul|binary|row|line|no data|empty|data\.csv\.gz",
                        };
                    },
                };
        }
    }

    static readonly object BombGate = new();

    /// <summary>A gzip file of the base header and then 1 GB of one byte (made once per base folder, about 1 MB).</summary>
    static string Bomb(BaseFiles b, string label, byte fill)
    {
        var path = Path.Combine(b.Dir, $"bomb-{label}.csv.gz");
        lock (BombGate)
        {
            if (File.Exists(path)) return path;
            var header = Csv.Lines(b.Csv)[0] + "\n" + (fill == (byte)'\n' ? "" : "u1,");
            var tmp = path + ".part";
            using (var f = File.Create(tmp))
            using (var gz = new GZipStream(f, CompressionLevel.Fastest))
            {
                gz.Write(Encoding.ASCII.GetBytes(header));
                var block = new byte[1 << 20];
                Array.Fill(block, fill);
                for (int i = 0; i < 1024; i++) gz.Write(block);
            }
            File.Move(tmp, path);
            return path;
        }
    }

    // ---- The first bad row in file order, whatever the thread count ---------------------------------------------

    static IEnumerable<HostileCase> ThreadCases()
    {
        foreach (var (first, second) in new[] { (3000, 15000), (700, 19000) })
            foreach (var cmd in new[] { "score", "train" })
                foreach (var threads in new[] { "1", "2" })
                    yield return new HostileCase
                    {
                        Class = CaseClass.Data,
                        Name = $"data/{cmd}-first-bad-row-{first}-threads-{threads}",
                        Prepare = c =>
                        {
                            var lines = Csv.Lines(c.Base.Csv);
                            var rows = new List<string> { lines[0] };
                            for (int k = 0; k < 10; k++) rows.AddRange(lines.Skip(1).Select(l => k == 0 ? l : "r" + k + l));
                            int x0 = Csv.Col(lines[0], "x0");
                            rows[first] = Csv.SetCell(rows[first], x0, "oops");
                            rows[second] = Csv.SetCell(rows[second], x0, "oops");
                            var data = c.P("data.csv");
                            Csv.Write(data, rows);
                            var output = c.P(cmd == "score" ? "scores.csv" : "model.json");
                            string[] args = cmd == "score"
                                ? BaseFiles.Score(c.Copy(c.Base.Drm), data, output, "--chunk-rows", "500", "--threads", threads)
                                : BaseFiles.Train(data, output, "--threads", threads);
                            return new Prepared
                            {
                                Args = args, Inputs = [data], AllowedExits = [2],
                                // Names the first bad row (as a data row or a line number) and not the later one.
                                ErrorPattern = $@"^(?![\s\S]*\b{second}|[\s\S]*\b{second + 1})[\s\S]*\b({first}|{first + 1})\b",
                            };
                        },
                    };
    }
}
