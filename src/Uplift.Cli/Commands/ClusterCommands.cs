using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Uplift.Cluster;
using Uplift.Data;
using Uplift.Models;
using Uplift.Partitions;
using Uplift.Persistence;

namespace Uplift.Cli.Commands;

/// <summary><c>--cluster</c> and <c>--membership</c> of train and score (docs/CLUSTER.md).</summary>
sealed class ClusterFlags
{
    readonly Option<string?> _cluster = new("--cluster")
    {
        Description = "Run on an Orleans cluster: its gateways, HOST:PORT[,HOST:PORT...] (see 'uplift worker'); --data then names partition files (a folder or a pattern such as 'parts/*.parquet').",
    };
    readonly Option<string> _membership = new("--membership")
    {
        Description = "How the cluster's workers find each other: localhost, or redis://HOST:PORT (as the workers were started).",
        DefaultValueFactory = _ => "localhost",
    };

    readonly Option<double> _timeout = new("--call-timeout")
    {
        Description = "With --cluster: seconds a call to a partition may take before the step is retried (1-3600).",
        DefaultValueFactory = _ => ClusterSetup.DefaultResponseTimeout.TotalSeconds,
    };

    public void AddTo(Command cmd) { cmd.Options.Add(_cluster); cmd.Options.Add(_membership); cmd.Options.Add(_timeout); }

    public TimeSpan CallTimeout(ParseResult r) => ClusterSetup.CheckTimeout(TimeSpan.FromSeconds(r.GetValue(_timeout)));

    public string? Gateways(ParseResult r) => r.GetValue(_cluster);
    public string MembershipText(ParseResult r) => r.GetValue(_membership)!;

    /// <summary>True when the command runs on partitions: --cluster given, or --data names several files.</summary>
    public bool Partitioned(ParseResult r, string data) => Gateways(r) is not null || PartitionJob.IsPartitioned(data);
}

/// <summary>
/// Training and scoring on partitioned data, here or on a cluster. Kept apart from the one-file commands, and the
/// cluster parts in methods of their own, so that the one-file path never loads Orleans.
/// </summary>
static class PartitionedCommands
{
    public static int Train(ParseResult r, ClusterFlags flags, string data, ColumnRoles roles, IReadOnlyList<string>? exclude, string kind,
        IUpliftLearner learner, double trainFraction, double validFraction, long seed, int? threads, string output, bool json)
    {
        var job = new PartitionJob
        {
            Files = PartitionJob.ExpandFiles(data), Roles = roles, ExcludeFeatures = exclude ?? [],
            TrainFraction = trainFraction, ValidFraction = validFraction, Seed = seed,
        };
        job.Validate();
        var progress = new ConsolePartitionProgress();
        var clock = Stopwatch.StartNew();
        PartitionedFit fit;
        IReadOnlyList<string> workers;
        if (flags.Gateways(r) is { } gateways)
            (fit, workers) = TrainOnCluster(job, gateways, Membership.Parse(flags.MembershipText(r)), flags.CallTimeout(r), learner, seed, progress);
        else
        {
            var parts = job.Files.Select(_ => new LocalPartition(threads)).ToArray();
            try { fit = PartitionedTrainer.Fit(job, parts, learner, Common.Context(seed, threads, null), progress); }
            finally { foreach (var p in parts) p.Dispose(); }
            workers = job.Files.Select(_ => "this process").ToArray();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var metrics = new JsonObject
        {
            ["fit_seconds"] = seconds, ["partitions"] = fit.Partitions, ["workers"] = workers.Distinct().Count(),
            ["train_rows"] = fit.TrainRows, ["valid_rows"] = fit.ValidRows, ["test_rows"] = fit.TestRows,
            ["valid_aucc"] = fit.ValidAucc, ["test_aucc"] = fit.TestAucc,
            ["median_step_ms"] = progress.MedianStepMs, ["retries"] = progress.Retries,
        };
        new ModelFile(fit.Model.Model, fit.Model.Preprocessor, seed, new JsonObject { ["model"] = kind, ["partitioned"] = true }, metrics).Save(output);
        if (json) Common.WriteJson(new JsonObject { ["model"] = kind, ["out"] = output, ["seed"] = seed, ["metrics"] = metrics.DeepClone() });
        else
        {
            Console.WriteLine($"{kind}: trained on {fit.TrainRows} users in {fit.Partitions} partitions on {workers.Distinct().Count()} worker(s) in {seconds:0.0} s " +
                $"(median {progress.MedianStepMs:0.0} ms per objective evaluation, {progress.Retries} retries)");
            foreach (var w in workers.GroupBy(w => w).OrderBy(g => g.Key, StringComparer.Ordinal))
                Console.WriteLine($"  worker {w.Key}: {w.Count()} partition(s)");
            Console.WriteLine($"validation AUCC {Common.F3(fit.ValidAucc ?? double.NaN)} ({fit.ValidRows} users), test AUCC {Common.F3(fit.TestAucc ?? double.NaN)} ({fit.TestRows} users)");
            Console.WriteLine($"model: {output}");
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static (PartitionedFit, IReadOnlyList<string>) TrainOnCluster(PartitionJob job, string gateways, Membership membership,
        TimeSpan callTimeout, IUpliftLearner learner, long seed, ConsolePartitionProgress progress)
    {
        var connection = ClusterSetup.Connect(gateways, membership, Logging, callTimeout).GetAwaiter().GetResult();
        try
        {
            var parts = connection.Partitions(job, JobKey(job));
            progress.Placement = () => string.Join(" ", parts.GroupBy(p => p.Worker ?? "?").OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key}={g.Count()}"));
            var fit = PartitionedTrainer.Fit(job, parts, learner, Common.Context(seed, 1, null), progress, connection.Rebalancer(parts));
            return (fit, parts.Select(p => p.Worker ?? "?").ToArray());
        }
        finally { connection.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Scores every partition file into <paramref name="outDir"/> (one output per input, same name, .csv or .parquet).</summary>
    public static int Score(ParseResult r, ClusterFlags flags, string modelPath, string data, string outDir, bool json)
    {
        var files = PartitionJob.ExpandFiles(data);
        ModelFile.Load(modelPath);  // a bad model file fails here, before any worker is asked
        Directory.CreateDirectory(outDir);
        string ext = files.All(f => f.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) ? ".parquet" : ".csv";
        var job = new PartitionJob { Files = files, Roles = new ColumnRoles("-", "-", "-") };
        string jobJson = job.ToJson().ToJsonString();
        var outs = files.Select(f => Path.GetFullPath(PartitionScoring.OutputPath(f, outDir, ext))).ToArray();
        if (outs.Distinct(StringComparer.Ordinal).Count() != outs.Length)
            throw new UpliftOptionException("--out", "two partition files would write the same output name");
        var clock = Stopwatch.StartNew();
        long[] rows = flags.Gateways(r) is { } gateways
            ? ScoreOnCluster(job, jobJson, Path.GetFullPath(modelPath), outs, gateways, Membership.Parse(flags.MembershipText(r)), flags.CallTimeout(r))
            : files.Select((_, i) => PartitionScoring.Score(new PartitionConfig(jobJson, i), modelPath, outs[i])).ToArray();
        double seconds = clock.Elapsed.TotalSeconds;
        if (json) Common.WriteJson(new JsonObject { ["rows"] = rows.Sum(), ["partitions"] = files.Count, ["seconds"] = seconds, ["out"] = outDir });
        else Console.WriteLine($"scored {rows.Sum()} users in {files.Count} partitions in {seconds:0.0} s -> {outDir}");
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long[] ScoreOnCluster(PartitionJob job, string jobJson, string modelPath, string[] outs, string gateways, Membership membership,
        TimeSpan callTimeout)
    {
        // Scoring a whole partition is one call: it gets at least 10 minutes.
        var connection = ClusterSetup.Connect(gateways, membership, Logging, callTimeout > TimeSpan.FromMinutes(10) ? callTimeout : TimeSpan.FromMinutes(10))
            .GetAwaiter().GetResult();
        try
        {
            var parts = connection.Partitions(job, JobKey(job) + "-score");
            // Each partition on its own: configured, then scored, with the retry rule of training (a lost worker's
            // partition re-activates elsewhere and is configured again by the next attempt).
            var tasks = parts.Select((p, i) => Task.Run(() => PartitionedCohort.Retrying(() =>
            {
                p.Ensure(new PartitionConfig(jobJson, i)).GetAwaiter().GetResult();
                return p.Score(modelPath, outs[i]).GetAwaiter().GetResult();
            }, restore: () => { }, progress: null)));
            return Task.WhenAll(tasks).GetAwaiter().GetResult();
        }
        finally { connection.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Grains of a job are keyed by a hash of its JSON and the time, so reruns never share stale grains.</summary>
    static string JobKey(PartitionJob job) =>
        $"{Rng.Hash((ulong)job.ToJson().ToJsonString().GetHashCode()):x}-{DateTime.UtcNow.Ticks:x}";

    /// <summary>Orleans' own log: warnings and errors on standard error.</summary>
    internal static void Logging(ILoggingBuilder b) =>
        b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddFilter(level => level >= LogLevel.Warning);
}

/// <summary>The coordinator's progress on standard error: per-evaluation latency every 100 evaluations, and retries.</summary>
sealed class ConsolePartitionProgress : PartitionProgress
{
    readonly List<double> _ms = new();
    public int Retries { get; private set; }
    /// <summary>Where the partitions are (worker=count ...), printed with each progress line (null = not on a cluster).</summary>
    public Func<string>? Placement { get; set; }
    public double MedianStepMs
    {
        get
        {
            if (_ms.Count == 0) return double.NaN;
            var s = _ms.Order().ToArray();
            return s[s.Length / 2];
        }
    }

    public override void Step(TimeSpan elapsed, int partitions)
    {
        _ms.Add(elapsed.TotalMilliseconds);
        if (_ms.Count % 100 == 0)
        {
            Console.Error.WriteLine($"evaluation {_ms.Count}: {elapsed.TotalMilliseconds:0.0} ms fan-out and merge over {partitions} partitions (median {MedianStepMs:0.0} ms)");
            if (Placement is not null) Console.Error.WriteLine($"placement: {Placement()}");
        }
    }

    public override void Retry(int attempt, Exception error)
    {
        Retries++;
        Console.Error.WriteLine($"a partition call failed ({error.GetType().Name}: {error.Message.Split('\n')[0]}); restoring the partitions, retry {attempt}/{PartitionedCohort.MaxRetries}");
    }
}

/// <summary><c>uplift worker</c>: one Orleans worker of a cluster (docs/CLUSTER.md).</summary>
static class WorkerCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port for traffic between workers.", DefaultValueFactory = _ => 11111 };
        var gateway = new Option<int>("--gateway") { Description = "Port coordinators (train/score --cluster) connect to.", DefaultValueFactory = _ => 30000 };
        var membership = new Option<string>("--membership") { Description = "localhost (development: all workers on this machine, one primary) or redis://HOST:PORT.", DefaultValueFactory = _ => "localhost" };
        var primary = new Option<string?>("--primary") { Description = "With localhost membership: HOST:PORT of the primary worker's --port (omit on the primary itself)." };
        var address = new Option<string>("--address") { Description = "Address to listen on and advertise.", DefaultValueFactory = _ => "127.0.0.1" };
        var callTimeout = new Option<double>("--call-timeout")
        {
            Description = "Seconds a call between workers may take (1-3600).",
            DefaultValueFactory = _ => ClusterSetup.DefaultResponseTimeout.TotalSeconds,
        };
        var threads = Common.Threads();
        var cmd = new Command("worker", "Run a worker of an Orleans cluster: it holds partitions of the data and computes their share of each training step.")
        {
            port, gateway, membership, primary, address, callTimeout, threads,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var settings = new WorkerSettings
            {
                SiloPort = r.GetValue(port), GatewayPort = r.GetValue(gateway), Membership = Membership.Parse(r.GetValue(membership)!),
                Address = IPAddress.TryParse(r.GetValue(address), out var a) ? a : throw new UpliftOptionException("--address", "must be an IP address"),
                Primary = r.GetValue(primary) is { } p ? Endpoint(p) : null,
                CallTimeout = TimeSpan.FromSeconds(r.GetValue(callTimeout)),
            };
            WorkerSettings.ThreadsPerPartition = r.GetValue(threads);
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.Error.WriteLine($"worker: port {settings.SiloPort}, gateway {settings.GatewayPort}, membership {settings.Membership}");
            ClusterSetup.RunWorker(settings, PartitionedCommands.Logging, stop.Token).GetAwaiter().GetResult();
            return 0;
        }));
        return cmd;
    }

    static IPEndPoint Endpoint(string text) =>
        IPEndPoint.TryParse(text.Replace("localhost", "127.0.0.1", StringComparison.Ordinal), out var e) && e.Port > 0 ? e
            : throw new UpliftOptionException("--primary", $"must be HOST:PORT, got '{text}'");
}
