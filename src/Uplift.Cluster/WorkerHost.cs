using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using StackExchange.Redis;
using Uplift.Partitions;

namespace Uplift.Cluster;

/// <summary>
/// How workers find each other: <c>localhost</c> (development: every worker on this machine, one of them the primary
/// that holds the membership in memory) or <c>redis://HOST:PORT</c> (a Redis server holds the membership table: any
/// worker may die).
/// </summary>
public sealed record Membership(string? RedisEndpoint)
{
    public static Membership Localhost { get; } = new((string?)null);

    public static Membership Parse(string text)
    {
        if (text == "localhost") return Localhost;
        if (text.StartsWith("redis://", StringComparison.Ordinal) && text.Length > "redis://".Length) return new(text["redis://".Length..]);
        throw new UpliftOptionException("--membership", $"must be localhost or redis://HOST:PORT, got '{text}'");
    }

    public override string ToString() => RedisEndpoint is null ? "localhost" : "redis://" + RedisEndpoint;
}

/// <summary>A worker's settings (<c>uplift worker</c>).</summary>
public sealed record WorkerSettings
{
    /// <summary>Port for worker-to-worker traffic (default 11111).</summary>
    public int SiloPort { get; init; } = 11111;
    /// <summary>Port coordinators connect to (default 30000).</summary>
    public int GatewayPort { get; init; } = 30000;
    /// <summary>Address this worker listens on and advertises (default loopback).</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;
    public Membership Membership { get; init; } = Membership.Localhost;
    /// <summary>With localhost membership: the primary worker's silo endpoint (null = this worker is the primary).</summary>
    public IPEndPoint? Primary { get; init; }
    /// <summary>Bound on a call between workers (default <see cref="ClusterSetup.DefaultResponseTimeout"/>).</summary>
    public TimeSpan CallTimeout { get; init; } = ClusterSetup.DefaultResponseTimeout;

    /// <summary>Threads each partition's passes use on a worker (null = all cores); results never depend on it.</summary>
    public static int? ThreadsPerPartition { get; set; }

    public void Validate()
    {
        UpliftOptionException.Check(SiloPort is > 0 and < 65536, "--port", $"must be a TCP port, got {SiloPort}");
        UpliftOptionException.Check(GatewayPort is > 0 and < 65536 && GatewayPort != SiloPort, "--gateway", $"must be a TCP port other than --port, got {GatewayPort}");
        ClusterSetup.CheckTimeout(CallTimeout);
        if (Primary is not null && Membership.RedisEndpoint is not null)
            throw new UpliftOptionException("--primary", "only with --membership localhost");
    }
}

/// <summary>The Orleans parts every worker and coordinator share: cluster identity and failure detection.</summary>
public static class ClusterSetup
{
    public const string ClusterId = "uplift";
    public const string ServiceId = "uplift";

    /// <summary>Default bound on one call (a partition's pass) before it counts as failed and the step is retried: 15 s
    /// (a pass over a partition of a few million rows takes well under a second; raise it, with --call-timeout, for
    /// partitions of tens of millions of rows with an MLP scorer).</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Throws unless <paramref name="t"/> is in [1 s, 1 h].</summary>
    public static TimeSpan CheckTimeout(TimeSpan t) =>
        t >= TimeSpan.FromSeconds(1) && t <= TimeSpan.FromHours(1) ? t
            : throw new UpliftOptionException("--call-timeout", $"must be 1 to 3600 seconds, got {t.TotalSeconds}");

    /// <summary>Starts a worker and runs it until <paramref name="stop"/> (or the process is told to stop).</summary>
    public static async Task RunWorker(WorkerSettings s, Action<ILoggingBuilder>? logging, CancellationToken stop)
    {
        s.Validate();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleans(silo =>
        {
            if (s.Membership.RedisEndpoint is { } redis)
            {
                silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
                silo.ConfigureEndpoints(s.Address, s.SiloPort, s.GatewayPort, listenOnAnyHostAddress: false);
            }
            else
                silo.UseLocalhostClustering(s.SiloPort, s.GatewayPort, s.Primary ?? new IPEndPoint(s.Address, s.SiloPort), ServiceId, ClusterId);
            silo.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ServiceId; });
            // A killed worker is declared dead within seconds (probes every second, two missed, one vote enough), so
            // its partitions re-activate on the others at the coordinator's next retry.
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            });
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = s.CallTimeout);
            // Partition state is rebuilt from files: a grain lives as long as its job (no idle collection mid-training).
            silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromHours(6));
        });
        using var host = builder.Build();
        await host.RunAsync(stop);
    }

    /// <summary>A coordinator's connection: the gateways of <paramref name="gateways"/> (HOST:PORT[,HOST:PORT...]) with
    /// localhost membership, or the Redis membership table; <paramref name="callTimeout"/> bounds each call to a partition.</summary>
    public static async Task<ClusterConnection> Connect(string gateways, Membership membership, Action<ILoggingBuilder>? logging,
        TimeSpan? callTimeout = null)
    {
        var timeoutOfCalls = CheckTimeout(callTimeout ?? DefaultResponseTimeout);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleansClient(client =>
        {
            if (membership.RedisEndpoint is { } redis) client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
            else client.UseStaticClustering(ParseEndpoints(gateways));
            client.Configure<ClusterOptions>(o => { o.ClusterId = ClusterId; o.ServiceId = ServiceId; });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeoutOfCalls);
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        });
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try { await host.StartAsync(timeout.Token); }
        catch (Exception e) when (e is not UpliftException)
        {
            host.Dispose();
            throw new UpliftException($"cannot connect to the cluster at {gateways} ({membership}): {e.Message}");
        }
        return new ClusterConnection(host);
    }

    static IPEndPoint[] ParseEndpoints(string text)
    {
        var list = new List<IPEndPoint>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], out int port) || port is <= 0 or > 65535)
                throw new UpliftOptionException("--cluster", $"must be HOST:PORT[,HOST:PORT...], got '{part}'");
            string host = part[..colon];
            var address = host == "localhost" ? IPAddress.Loopback
                : IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();
            list.Add(new IPEndPoint(address, port));
        }
        if (list.Count == 0) throw new UpliftOptionException("--cluster", "names no gateway");
        return list.ToArray();
    }
}

/// <summary>A coordinator's open connection to a cluster: the partitions of a job as grains.</summary>
public sealed class ClusterConnection(IHost host) : IAsyncDisposable
{
    readonly IClusterClient _client = host.Services.GetRequiredService<IClusterClient>();

    /// <summary>The partitions of <paramref name="job"/> as grains keyed by a hash of the job and the partition index, so
    /// that two jobs never share a grain.</summary>
    public IReadOnlyList<GrainPartition> Partitions(PartitionJob job, string jobKey) =>
        Enumerable.Range(0, job.Files.Count).Select(i => new GrainPartition(_client.GetGrain<IPartitionGrain>($"{jobKey}/{i}"))).ToArray();

    /// <summary>
    /// The coordinator's rebalance hook: when more workers are active than at the last call, every partition is told to
    /// leave, so that at its next call it re-activates under the hash placement over all current workers (the joined ones
    /// included) and reloads its file. Used from the next step on; the model does not change (the coordinator restores
    /// every partition's configuration before the step).
    /// </summary>
    public Func<bool> Rebalancer(IReadOnlyList<GrainPartition> parts)
    {
        var management = _client.GetGrain<Orleans.Runtime.IManagementGrain>(0);
        int known = Hosts();
        int Hosts() => management.GetHosts(onlyActive: true).GetAwaiter().GetResult().Count;
        return () =>
        {
            int now = Hosts();
            bool joined = now > known;
            known = now;
            if (!joined) return false;
            Task.WhenAll(parts.Select(p => p.Leave())).GetAwaiter().GetResult();
            return true;
        };
    }

    public async ValueTask DisposeAsync()
    {
        try { await host.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
        host.Dispose();
    }
}
