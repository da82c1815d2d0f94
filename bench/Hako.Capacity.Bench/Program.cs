// Times the planner on the sizes the issue names: an admission decision against 200 containers
// with 30 days of 5-minute history (< 50 ms), and a backtest of 100 nodes of 32 Bitbrains tenants
// (< 10 s). Run in Release: dotnet run -c Release --project bench/Hako.Capacity.Bench [TRACE_DIR]
// With "admission [ROUNDS]" it times hakod's CapacityService over a real SQLite store instead (AdmissionBench.cs).
using System.Diagnostics;
using Hako.Capacity;
using Hako.Capacity.Backtest;
using Hako.Capacity.Planning;

if (args is ["admission", .. var rest])
{
    AdmissionBench.Run(rest);
    return;
}

const double GiB = 1024.0 * 1024 * 1024;
const int Buckets = 8640;

var plans = Enumerable.Range(0, 4).Select(p => new PlanSpec { Name = $"p{p}", Limit = new(1 + p, (1 + p) * GiB) }).ToList();
var containers = new List<ContainerUsage>();
var rng = new Random(1);
for (var i = 0; i < 200; i++)
{
    var cpu = new double[Buckets];
    var mem = new double[Buckets];
    var phase = rng.Next(288);
    for (var b = 0; b < Buckets; b++)
    {
        var daily = 1 + Math.Sin(2 * Math.PI * (b + phase) / 288);
        cpu[b] = 0.2 * daily + 0.1 * rng.NextDouble();
        mem[b] = (0.3 + 0.1 * daily + 0.05 * rng.NextDouble()) * GiB;
    }
    containers.Add(new ContainerUsage { Name = $"ct{i}", Plan = plans[i % 4].Name, Limit = plans[i % 4].Limit, Cpu = cpu, Memory = mem });
}

foreach (var (label, capacity) in new[] { ("accepted", new ResourceVector(128, 512 * GiB)), ("refused", new ResourceVector(48, 512 * GiB)) })
{
    var snapshot = new NodeSnapshot { Capacity = capacity, Containers = containers, Plans = plans };
    var prepare = new List<double>();
    var cold = new List<double>();
    var warm = new List<double>();
    AdmissionDecision? decision = null;
    for (var round = 0; round < 30; round++)
    {
        var clock = Stopwatch.StartNew();
        var model = NodeModel.Prepare(snapshot);
        prepare.Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        decision = CapacityPlanner.Admit(model, new AdmissionCandidate("new", plans[1]));
        cold.Add(clock.Elapsed.TotalMilliseconds);
        clock.Restart();
        CapacityPlanner.Admit(model, new AdmissionCandidate("new2", plans[1]));
        warm.Add(clock.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"admission {label} (200 containers × {Buckets} buckets, 4 plans), 30 rounds, min/median: " +
        $"prepare {Stats(prepare)}, first decision {Stats(cold)}, next decision {Stats(warm)}; " +
        $"{decision!.Resources.Min(r => r.MoreOfPlan)} more of p1 fit");
}

// A snapshot from scratch: the recorded bucket means go through SnapshotBuilder (alignment, gap
// filling), then Prepare, then Admit. hakod does this only once, at its first decision; after that it
// keeps a HistoryWindow ("admission" mode times that path).
{
    var start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100);
    var histories = containers.Select(c => new ContainerHistory(c.Name, c.Plan, c.Guarantee, c.Limit,
        [.. Enumerable.Range(0, Buckets).Select(b => new BucketMean(start + TimeSpan.FromMinutes(5 * b), c.Cpu.Span[b], c.Memory.Span[b]))])).ToList();
    var miss = new List<double>();
    for (var round = 0; round < 30; round++)
    {
        var clock = Stopwatch.StartNew();
        var built = SnapshotBuilder.Build(new ResourceVector(128, 512 * GiB), histories, plans, start, start + TimeSpan.FromMinutes(5 * Buckets), TimeSpan.FromMinutes(5));
        var model = NodeModel.Prepare(built.Snapshot);
        CapacityPlanner.Admit(model, new AdmissionCandidate("new", plans[1]));
        miss.Add(clock.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"admission on a snapshot from scratch (SnapshotBuilder + Prepare + Admit, 200 × {Buckets}), 30 rounds, min/median: {Stats(miss)}");
}

static string Stats(List<double> ms)
{
    ms.Sort();
    return $"{ms[0]:0.0}/{ms[ms.Count / 2]:0.0} ms";
}

var dir = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/bitbrains-rnd-2013-7");
if (Directory.Exists(dir))
{
    var clock = Stopwatch.StartNew();
    var trace = BitbrainsTraceReader.Read(dir);
    var parse = clock.Elapsed.TotalMilliseconds;
    for (var round = 0; round < 2; round++)
    {
        clock.Restart();
        Backtester.Run(trace, new BacktestOptions { PerNode = 32, TrainDays = 14, Epsilon = 0.01, Sets = 100, Seed = 1 });
        Console.WriteLine($"backtest 100 × 32 tenants ({trace.BucketCount} buckets): parse {parse:0} ms, run {clock.Elapsed.TotalMilliseconds:0} ms");
    }
}
else
{
    Console.WriteLine($"no Bitbrains trace at {Path.GetFullPath(dir)}; pass its directory to time the backtest");
}
