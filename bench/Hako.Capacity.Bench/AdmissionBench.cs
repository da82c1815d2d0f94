// hakod's admission path end to end, in-process: CapacityService over a SqliteUsageStore seeded with
// 200 containers × 30 days of 5-minute buckets and a SqliteStateStore holding their records. Times the
// cold first decision (every bucket read from SQLite), a decision after a create (commitments change),
// after a new bucket (read from the store, window slides), a set (the container judged as if new), a
// cache hit, and a refusal with the other plans' headroom. Run: bench/capacity-admission.sh [ROUNDS]
using System.Diagnostics;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Resources;
using Hako.Core.Usage;
using Hako.Daemon.Capacity;
using Hako.Daemon.Options;
using Hako.Daemon.Resources;
using Hako.Runtime;
using Hako.State;
using Hako.State.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

internal static class AdmissionBench
{
    private const int Containers = 200;
    private const int Buckets = 8640;
    private static readonly TimeSpan Bucket = TimeSpan.FromMinutes(5);

    // Plans without guarantees, so only the statistical rule decides. "bench-xl" has no container:
    // its candidates are modelled by their limit, which the node cannot hold, so it is refused.
    private static readonly (string Name, string Memory)[] BenchPlans = [("bench-s", "128M"), ("bench-m", "256M"), ("bench-l", "512M"), ("bench-xl", "64G")];

    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 25;
        var dir = Directory.CreateTempSubdirectory("hako-capacity-bench-");
        try
        {
            Run(dir.FullName, rounds);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static void Run(string dataDir, int rounds)
    {
        var clock = new BenchClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 / 300 * 300) + TimeSpan.FromDays(30) + TimeSpan.FromSeconds(10));
        var options = new HakodOptions { DataDir = dataDir };
        var paths = new NodePaths(dataDir);
        Directory.CreateDirectory(paths.Private);
        // Seeding takes about a minute; BENCH_SEED_CACHE=FILE keeps the seeded database for the next run.
        var cache = Environment.GetEnvironmentVariable("BENCH_SEED_CACHE");
        var seed = Stopwatch.StartNew();
        if (cache is not null && File.Exists(cache))
        {
            File.Copy(cache, paths.Database);
        }
        else
        {
            Seed(paths, options, clock);
            if (cache is not null)
            {
                File.Copy(paths.Database, cache);
            }
        }

        Console.WriteLine($"seeded {Containers} containers × {Buckets} buckets into {dataDir} in {seed.Elapsed.TotalSeconds:0.0} s");
        using var state = new SqliteStateStore(paths.Database);
        using var usage = new SqliteUsageStore(paths.Database);
        var catalog = new PlanCatalog(state, options, paths, clock);
        var rng = new Random(2);
        var perContainer = PerContainer(catalog);
        var end = SnapshotStart(clock) + Bucket * Buckets;
        var service = new CapacityService(options, usage, state, catalog, clock, NullLogger<CapacityService>.Instance);
        var small = catalog.Resolve("bench-s");
        var big = catalog.Resolve("bench-xl");
        var cold = Time(() => Decide(service, "new", "bench-s", small, null));
        var results = new Dictionary<string, List<double>>();
        void Add(string label, double ms) => (results.TryGetValue(label, out var l) ? l : results[label] = []).Add(ms);
        string? refusal = null;
        for (var round = 0; round < rounds; round++)
        {
            Insert(state, catalog, $"extra{round:000}", "bench-s", clock);
            Add("after a create (commitments changed)", Time(() => Decide(service, "new", "bench-s", small, null)));
            Add("cache hit", Time(() => Decide(service, "new", "bench-s", small, null)));
            Add("set/start (container judged as if new)", Time(() => Decide(service, "ct001", "bench-s", small, "ct001")));
            clock.Now += Bucket;
            for (var i = 0; i < Containers; i++)
            {
                usage.AppendAggregates($"ct{i:000}", Bucket, [(Point(end + Bucket * round, round, perContainer, rng), 30)]);
            }

            Add("after a new bucket (store read, window slides)", Time(() => Decide(service, "new", "bench-s", small, null)));
            Add("refusal with the other plans' headroom (cache hit)", Time(() => refusal = Refuse(service, big)));
            Insert(state, catalog, $"more{round:000}", "bench-m", clock);
            Add("refusal with the other plans' headroom, after a create", Time(() => refusal = Refuse(service, big)));
        }

        Console.WriteLine($"hakod admission through CapacityService, {Containers} containers × {Buckets} buckets, SQLite usage store, {rounds} rounds, min/median:");
        Console.WriteLine($"  {"cold first decision (all buckets read from SQLite)",-50} {cold,8:0.0} ms");
        foreach (var (label, ms) in results)
        {
            ms.Sort();
            Console.WriteLine($"  {label,-50} {ms[0],8:0.0} / {ms[ms.Count / 2]:0.0} ms");
        }

        Console.WriteLine($"  refusal: {refusal ?? "(none: nothing was refused)"}");
    }

    private static void Seed(NodePaths paths, HakodOptions options, BenchClock clock)
    {
        using var state = new SqliteStateStore(paths.Database);
        using var usage = new SqliteUsageStore(paths.Database);
        var catalog = new PlanCatalog(state, options, paths, clock);
        foreach (var (name, memory) in BenchPlans)
        {
            state.TryInsertPlan(new StoredPlan(name, null, new PlanFlags { Memory = memory, Cpus = "1" }, clock.GetUtcNow()));
        }

        var perContainer = PerContainer(catalog);
        var rng = new Random(1);
        var end = SnapshotStart(clock) + Bucket * Buckets;
        for (var i = 0; i < Containers; i++)
        {
            Insert(state, catalog, $"ct{i:000}", BenchPlans[i % 3].Name, clock);
            var phase = rng.Next(288);
            var points = new List<(UsagePoint, int)>(Buckets);
            for (var b = 0; b < Buckets; b++)
            {
                points.Add((Point(end - Bucket * (Buckets - b), b + phase, perContainer, rng), 30));
            }

            usage.AppendAggregates($"ct{i:000}", Bucket, points);
        }
    }

    /// <summary>Mean memory per container so that the 200 containers' combined peak is about 70% of the node's usable memory.</summary>
    private static double PerContainer(PlanCatalog catalog) => 0.7 * catalog.Node().Usable(AdmissionResource.Memory) / Containers / 1.4;

    private static DateTimeOffset SnapshotStart(BenchClock clock) =>
        Hako.Capacity.SnapshotBuilder.Align(clock.Now, Bucket) - Bucket * Buckets;

    private static void Insert(SqliteStateStore state, PlanCatalog catalog, string name, string plan, BenchClock clock)
    {
        var record = new ContainerRecord
        {
            Name = name,
            Status = RecordStatus.Ready,
            Template = "busybox",
            Hostname = name,
            Limits = PlanCodec.Limits(catalog.Resolve(plan), null),
            PlanName = plan,
            CreatedAt = clock.GetUtcNow(),
        };
        if (!state.TryInsertContainer(record))
        {
            throw new InvalidOperationException($"could not insert {name}");
        }
    }

    private static UsagePoint Point(DateTimeOffset time, int phase, double memory, Random rng)
    {
        var daily = 1 + Math.Sin(2 * Math.PI * phase / 288);
        var values = new UsageValue?[UsageMetrics.Count];
        var cpu = 0.02 * daily + 0.01 * rng.NextDouble();
        var mem = memory * (0.6 + 0.3 * daily + 0.2 * rng.NextDouble());
        values[(int)UsageMetric.Cpu] = new UsageValue(cpu, cpu, cpu);
        values[(int)UsageMetric.Memory] = new UsageValue(mem, mem, mem);
        return new UsagePoint(time, values);
    }

    /// <summary>What ContainerService.Admit asks for a best-effort plan: the node now, the mode, the planner.</summary>
    private static void Decide(CapacityService service, string name, string planName, Plan plan, string? exclude)
    {
        var prepared = service.Current(exclude);
        if (!service.AdmissionMode(prepared).Statistical)
        {
            throw new InvalidOperationException("the bench node should have enough history for statistical admission");
        }

        service.Admit(prepared, name, planName, plan);
    }

    private static string? Refuse(CapacityService service, Plan plan)
    {
        try
        {
            Decide(service, "huge", "bench-xl", plan, null);
            return null;
        }
        catch (HakoException e)
        {
            return e.Message;
        }
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private sealed class BenchClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
