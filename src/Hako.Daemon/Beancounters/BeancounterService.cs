using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Resources;
using Hako.Daemon.Containers;
using Hako.Linux.Cgroups;
using Hako.State;

namespace Hako.Daemon.Beancounters;

/// <summary>
/// /proc/user_beancounters for Hako containers: barrier and limit from the container's effective plan,
/// held from the kernel (cgroup files and procfs), and maxheld/failcnt kept by hakod in its database for
/// the counters the kernel does not keep, so they survive hakod restarts.
/// </summary>
public sealed partial class BeancounterService(IStateStore store, ContainerService containers, ICgroupDriver cgroups,
    Linux.Beancounters.BeancounterProbe probe, Events.EventLog events)
{
    private const string MaxHeldKey = "ubc:maxheld:";
    private const string FailCntKey = "ubc:failcnt:";
    private const string OverKey = "ubc:over:";

    public BeancounterReport Report(string name)
    {
        var r = store.GetContainer(name) is { Status: RecordStatus.Ready } c ? c
            : throw HakoException.NotFound($"Container {name} does not exist; see hako list");
        return Report(r, store.GetCounterBaselines(beancounters: true));
    }

    /// <summary>Every running container; the stored maxheld/failcnt values are read once for all of them.</summary>
    public IReadOnlyList<BeancounterReport> ReportAll()
    {
        var stored = store.GetCounterBaselines(beancounters: true);
        return [.. store.ListContainers().Where(r => r.Status == RecordStatus.Ready && containers.IsRunning(r.Name)).Select(r => Report(r, stored))];
    }

    private BeancounterReport Report(ContainerRecord r, IReadOnlyDictionary<(string Container, string Counter), long> stored)
    {
        var set = containers.Effective(r).EffectiveBeancounters();
        var measured = containers.IsRunning(r.Name) ? Measure(r) : new Dictionary<UbcResource, Measurement>();
        var rows = new List<BeancounterRowInfo>();
        var usage = new Dictionary<UbcResource, BeancounterUsage>();
        foreach (var (p, limit) in set.Entries)
        {
            var m = measured.GetValueOrDefault(p.Resource);
            var maxHeld = Math.Max(Math.Max(stored.GetValueOrDefault((r.Name, MaxHeldKey + p.Name)), m.Held), m.KernelMaxHeld ?? 0);
            var failCnt = m.KernelFailCnt ?? stored.GetValueOrDefault((r.Name, FailCntKey + p.Name));
            usage[p.Resource] = new BeancounterUsage(m.Held, maxHeld, failCnt);
            rows.Add(new BeancounterRowInfo
            {
                Resource = p.Name, Held = m.Held, MaxHeld = maxHeld, Barrier = limit.Barrier, Limit = limit.Limit, FailCnt = failCnt,
                Enforcement = EnforcementOf(p.Resource),
            });
        }

        var text = UserBeancounters.Render(UserBeancounters.FromSet(r.Name, set, usage));
        return new BeancounterReport { Container = r.Name, Rows = rows, Text = text };
    }

    /// <summary>
    /// One pass over every running container: keeps maxheld, and counts a failure for an accounted counter
    /// each time its held value is seen crossing the limit (the kernel cannot refuse those allocations, so
    /// hakod records the crossing instead). Kernel-kept failcnts are read live, not counted here.
    /// </summary>
    public void Sweep()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        SweepCore();
        lock (_sweeps)
        {
            _sweeps.Enqueue(sw.Elapsed.TotalMilliseconds);
            while (_sweeps.Count > 15)
            {
                _sweeps.Dequeue();
            }
        }
    }

    private readonly Queue<double> _sweeps = new();

    /// <summary>Median duration of the recent sweeps; null before the first one.</summary>
    public double? SweepMilliseconds
    {
        get
        {
            lock (_sweeps)
            {
                if (_sweeps.Count == 0)
                {
                    return null;
                }

                var sorted = _sweeps.Order().ToList();
                return Math.Round(sorted[sorted.Count / 2], 2);
            }
        }
    }

    private void SweepCore()
    {
        // One read of every stored counter and one transaction for the changes: a sweep over 200 containers
        // must not cost thousands of single-row queries.
        var stored = store.GetCounterBaselines(beancounters: true);
        var changes = new List<(string, string, long)>();
        long Get(string c, string k) => stored.GetValueOrDefault((c, k));
        var running = store.ListContainers().Where(r => r.Status == RecordStatus.Ready && containers.IsRunning(r.Name)).ToList();
        var measured = MeasureAll(running);
        foreach (var r in running)
        {
            if (!measured.TryGetValue(r.Name, out var readings))
            {
                continue;
            }

            var set = containers.Effective(r).EffectiveBeancounters();
            foreach (var (res, m) in readings)
            {
                var p = UbcParameters.Get(res);
                var max = Math.Max(m.Held, m.KernelMaxHeld ?? 0);
                if (max > Get(r.Name, MaxHeldKey + p.Name))
                {
                    changes.Add((r.Name, MaxHeldKey + p.Name, max));
                }

                if (m.KernelFailCnt is not null)
                {
                    continue;
                }

                var limit = set[res].Limit;
                var over = limit != UbcLimit.Unlimited && m.Held >= limit ? 1 : 0;
                var wasOver = Get(r.Name, OverKey + p.Name);
                if (over == 1 && wasOver == 0)
                {
                    changes.Add((r.Name, FailCntKey + p.Name, Get(r.Name, FailCntKey + p.Name) + 1));
                    events.Publish(EventType.LimitHit, r.Name, $"{p.Name} held {m.Held} reached its limit {limit} (accounted by hakod)", p.Name, 1);
                }

                if (over != wasOver)
                {
                    changes.Add((r.Name, OverKey + p.Name, over));
                }
            }
        }

        store.SetCounterBaselines(changes);
    }

    /// <summary>A new start of a container starts its counters afresh, as OpenVZ's did.</summary>
    public static void ResetCounters(IStateStore store, string name) =>
        store.SetCounterBaselines([.. UbcParameters.All.SelectMany(p => new[]
        {
            (name, MaxHeldKey + p.Name, 0L), (name, FailCntKey + p.Name, 0L), (name, OverKey + p.Name, 0L),
        })]);

    public ValidationReport Validate(string name)
    {
        var r = store.GetContainer(name) is { Status: RecordStatus.Ready } c ? c
            : throw HakoException.NotFound($"Container {name} does not exist; see hako list");
        var findings = UbcValidator.Validate(containers.Effective(r).EffectiveBeancounters());
        return new ValidationReport
        {
            Container = name,
            Findings = [.. findings.Select(f => new ValidationFinding
            {
                Rule = f.Rule, Severity = f.Severity == UbcSeverity.Error ? "error" : "warning", Message = f.Message,
            })],
        };
    }

    internal readonly record struct Measurement(long Held, long? KernelMaxHeld, long? KernelFailCnt);
}
