using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hako.Capacity;
using Hako.Capacity.Planning;
using Hako.Capacity.Rules;
using Hako.Core.Containers;
using Hako.Core.Resources;
using Hako.Core.Usage;
using Hako.Daemon.Options;
using Hako.Daemon.Resources;
using Hako.State;

namespace Hako.Daemon.Capacity;

/// <summary>
/// hakod's side of the capacity planner: gathers a <see cref="NodeSnapshot"/> (bucket means of
/// CPU cores and memory bytes per container over --capacity-window, the node's usable capacity,
/// limits, guarantees and plans) and asks <c>Hako.Capacity</c> the questions. The history is
/// read from the usage store incrementally and the prepared model is cached until the history
/// or a commitment changes, so an admission decision costs the planner's arithmetic only.
/// </summary>
public sealed partial class CapacityService(
    HakodOptions options, IUsageStore usage, IStateStore store, PlanCatalog plans, TimeProvider time, ILogger<CapacityService> log)
{
    private static readonly UsageMetric[] Metrics = [UsageMetric.Cpu, UsageMetric.Memory];

    /// <summary>New buckets arrive once per --history-bucket; looking for them more often than this is waste.</summary>
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly HistoryWindow _history = new(options.HistoryBucketSpan);
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;
    private long _version;
    private (string Key, Prepared Value)? _cached;

    /// <summary>The rule every answer uses (chosen by backtest, docs/capacity.md).</summary>
    public static CapacityRule Rule => CapacityRules.Default;

    /// <summary>A prepared model and how its snapshot was made.</summary>
    public sealed record Prepared(NodeModel Model, BuiltSnapshot Built);

    /// <summary>
    /// The node now, prepared for the planner. <paramref name="exclude"/> leaves one container out
    /// (start and plan changes judge it as if it were new).
    /// </summary>
    public Prepared Current(string? exclude = null)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            Refresh(now);
            var bucket = options.HistoryBucketSpan;
            var node = plans.Node();
            var capacity = new ResourceVector(node.Usable(AdmissionResource.Cpu), node.Usable(AdmissionResource.Memory));
            var resolve = plans.Resolver();
            var specs = store.ListContainers().Where(r => r.Status != RecordStatus.Destroying && r.Name != exclude)
                .Select(r => Spec(r, resolve, capacity)).ToList();
            var end = SnapshotBuilder.Align(now, bucket);
            var key = Key(end, capacity, exclude, specs);
            if (_cached is { } c && c.Key == key)
            {
                return c.Value;
            }

            // The window keeps every container's aligned series: only containers whose buckets changed
            // are filled again, and the model keeps the statistics of the series that did not change.
            var clock = Stopwatch.StartNew();
            var built = _history.Build(capacity, [.. specs.Select(s => s.Spec)], PlansOnSale(capacity), now - options.CapacityWindowSpan, now);
            var prepared = new Prepared(NodeModel.Prepare(built.Snapshot, _cached?.Value.Model), built);
            _cached = (key, prepared);
            LogSnapshot(log, specs.Count, built.Snapshot.BucketCount, clock.Elapsed.TotalMilliseconds);
            return prepared;
        }
    }

    /// <summary>The policy at <paramref name="epsilon"/> (default --capacity-epsilon) for this node's settings.</summary>
    public CapacityPolicy Policy(double? epsilon = null)
    {
        var eps = epsilon ?? options.CapacityEpsilon;
        if (eps is not (> 0 and < 1))
        {
            throw Core.Errors.HakoException.Invalid($"epsilon {eps.ToString(CultureInfo.InvariantCulture)} must be a probability strictly between 0 and 1, e.g. 0.01");
        }

        // A resource whose overcommit ratio is 'inf' is one the operator does not want checked (CPU by default).
        var checkedResources = new List<CapacityResource>();
        if (double.IsFinite(options.OvercommitCpu))
        {
            checkedResources.Add(CapacityResource.Cpu);
        }

        if (double.IsFinite(options.OvercommitMemory))
        {
            checkedResources.Add(CapacityResource.Memory);
        }

        return new CapacityPolicy { Epsilon = ResourceVector.Uniform(eps), Rule = Rule, Checked = checkedResources };
    }

    /// <summary>
    /// Whether best-effort admission uses the planner: only with at least --capacity-min-history of
    /// recorded usage. The second value says why, for answers and refusals.
    /// </summary>
    public (bool Statistical, string Detail) AdmissionMode(Prepared prepared)
    {
        var covered = prepared.Built.Covered;
        var min = options.CapacityMinHistorySpan;
        var have = Hours(covered);
        return covered >= min
            ? (true, $"{have} of usage history (at least {options.CapacityMinHistory}): best-effort admission holds memory{(double.IsFinite(options.OvercommitCpu) ? " and CPU" : "")} to ε = {CapacityPlanner.Percent(options.CapacityEpsilon)} with {Rule.Name}")
            : (false, $"{have} of usage history; statistical admission needs {options.CapacityMinHistory} (--capacity-min-history), until then the overcommit ratios decide");
    }

    /// <summary>
    /// Best-effort admission by the planner against <paramref name="prepared"/> (<see cref="Current"/>,
    /// with the container left out at start and set). Returns false (and the reason) when there is too
    /// little history, so the caller falls back to the overcommit ratios; throws
    /// InsufficientResources when the rule refuses. Records nothing.
    /// </summary>
    public (bool Statistical, string Detail) Admit(Prepared prepared, string name, string? planName, Plan candidate)
    {
        var mode = AdmissionMode(prepared);
        if (!mode.Statistical)
        {
            return mode;
        }

        var capacity = prepared.Built.Snapshot.Capacity;
        var spec = PlanSpecOf(PlanKey(planName, candidate), candidate, capacity);
        var decision = CapacityPlanner.Admit(prepared.Model, new AdmissionCandidate(name, spec), Policy());
        if (!decision.Accepted)
        {
            var problems = decision.Resources.Where(r => !r.Fits).Select(r =>
                $"{CapacityPlanner.Name(r.Resource)}: demand {CapacityPlanner.Amount(r.Resource, r.DemandWith)} > capacity {CapacityPlanner.Amount(r.Resource, r.Capacity)} at ε = {CapacityPlanner.Percent(r.Epsilon)}" +
                (r.OverloadProbability is { } p ? $", predicted overload probability {CapacityPlanner.Percent(p)}" : "") +
                $"; 0 more of plan '{spec.Name}' fit").ToList();
            throw new Core.Errors.HakoException(Contracts.ErrorCode.InsufficientResources, decision.Message, problems);
        }

        return mode;
    }

    /// <summary>
    /// The plan a container counts under: its plan's name when its memory and CPU settings are the
    /// plan's, otherwise the name plus those settings, so that containers created with the same
    /// explicit flags learn from each other and not from the plan's own containers.
    /// </summary>
    public string PlanKey(string? planName, Plan effective) => PlanKey(plans.Resolver()(planName), effective);

    private static string PlanKey(Plan basePlan, Plan effective)
    {
        if (Same(basePlan, effective))
        {
            return basePlan.Name;
        }

        var memory = effective.Limits.MemoryBytes is { } m ? Core.Units.Size.Format(m) : "unlimited";
        var cpus = effective.Limits.EffectiveCpus is { } c ? c.ToString("0.##", CultureInfo.InvariantCulture) : "unlimited";
        return $"{basePlan.Name} (memory {memory}, cpus {cpus})";
    }

    /// <summary>The plans on sale, as the planner sees them.</summary>
    public IReadOnlyList<PlanSpec> PlansOnSale(ResourceVector capacity) =>
        [.. plans.List().Select(p => PlanSpecOf(p.Plan.Name, p.Plan, capacity))];

    /// <summary>The limits and guarantees of a plan; unlimited = the node's capacity.</summary>
    public static PlanSpec PlanSpecOf(string name, Plan plan, ResourceVector capacity) => new()
    {
        Name = name,
        Guarantee = Guarantee(plan),
        Limit = new ResourceVector(Math.Min(plan.Limits.EffectiveCpus ?? double.PositiveInfinity, capacity.Cpu),
            Math.Min(plan.Limits.MemoryBytes ?? double.PositiveInfinity, capacity.Memory)),
        BestEffort = plan.Kind == PlanKind.BestEffort,
    };

    /// <summary>Every container's CPU and memory bucket means since <paramref name="from"/>, for the export.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset Time, double?[] Means)>> ReadHistory(DateTimeOffset from) =>
        usage.ReadMeans(Metrics, new Dictionary<string, DateTimeOffset>(), from);

    /// <summary>The usage metrics the export carries, in <see cref="ReadHistory"/>'s order.</summary>
    public static IReadOnlyList<UsageMetric> ExportMetrics => Metrics;

    private static ResourceVector Guarantee(Plan plan) => new(plan.Guarantees.Cpus, plan.Guarantees.MemoryBytes);

    private static bool Same(Plan a, Plan b) =>
        a.Kind == b.Kind && a.Limits.MemoryBytes == b.Limits.MemoryBytes && a.Limits.EffectiveCpus == b.Limits.EffectiveCpus
        && a.Guarantees.MemoryBytes == b.Guarantees.MemoryBytes && Math.Abs(a.Guarantees.Cpus - b.Guarantees.Cpus) < 1e-9;

    private static (ContainerCommitments Spec, string Key) Spec(ContainerRecord r, Func<string?, Plan> resolve, ResourceVector capacity)
    {
        var effective = PlanCatalog.Effective(r, resolve);
        var spec = PlanSpecOf(PlanKey(resolve(r.PlanName), effective), effective, capacity);
        return (new ContainerCommitments(r.Name, spec.Name, spec.Guarantee, spec.Limit),
            string.Create(CultureInfo.InvariantCulture, $"{r.Name}|{spec.Name}|{spec.Limit}|{spec.Guarantee}"));
    }

    private string Key(DateTimeOffset end, ResourceVector capacity, string? exclude, List<(ContainerCommitments Spec, string Key)> specs)
    {
        var key = new StringBuilder();
        key.Append(CultureInfo.InvariantCulture, $"{_version}|{end.UtcTicks}|{capacity}|{exclude}");
        foreach (var s in specs)
        {
            key.Append('\n').Append(s.Key);
        }

        return key.ToString();
    }

    /// <summary>Reads the buckets stored since the last read, and forgets those past the window.</summary>
    private void Refresh(DateTimeOffset now)
    {
        if (now - _refreshedAt < RefreshEvery)
        {
            return;
        }

        var windowStart = now - options.CapacityWindowSpan;
        var from = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var name in _history.Names)
        {
            if (_history.Last(name) is { } last)
            {
                from[name] = last + options.HistoryBucketSpan;
            }
        }

        var fresh = usage.ReadMeans(Metrics, from, windowStart);
        var changed = false;
        foreach (var (series, rows) in fresh)
        {
            if (series != UsageSample.NodeSeries)
            {
                changed |= _history.Append(series, rows.Select(r => new BucketMean(r.Time, r.Means[0] ?? double.NaN, r.Means[1] ?? double.NaN)));
            }
        }

        changed |= _history.ForgetBefore(windowStart);

        // Series the store no longer has (destroyed containers).
        foreach (var gone in _history.Names.Where(k => !fresh.ContainsKey(k)).ToList())
        {
            changed |= _history.Forget(gone);
        }

        if (changed)
        {
            _version++;
        }

        _refreshedAt = now;
    }

    private static string Hours(TimeSpan span) => span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h";

    [LoggerMessage(50, LogLevel.Debug, "Capacity snapshot: {Containers} containers, {Buckets} buckets, prepared in {Milliseconds:0.0} ms")]
    private static partial void LogSnapshot(ILogger log, int containers, int buckets, double milliseconds);
}
