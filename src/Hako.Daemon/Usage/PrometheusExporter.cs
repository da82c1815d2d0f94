using Hako.Core.Containers;
using Hako.Core.Usage;
using Hako.Daemon.Options;
using Hako.State;
using Prometheus;

namespace Hako.Daemon.Usage;

/// <summary>
/// GET /metrics in the Prometheus text format (prometheus-net): per-container series labelled
/// {container="web1"} and node series, named as Prometheus users expect
/// (hako_container_cpu_seconds_total, hako_node_memory_bytes, ...; see docs/usage.md). Values come
/// from the sampler's newest readings, the same ones GET /v1/usage shows; a series disappears with
/// its container, and a counter that went down (the container restarted) starts a fresh series.
/// </summary>
public sealed class PrometheusExporter
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly UsageSampler _sampler;
    private readonly IStateStore _store;
    private readonly TimeSpan _maxAge;
    private readonly Dictionary<UsageMetric, Collector<Counter.Child>> _containerCounters = [];
    private readonly Dictionary<UsageMetric, Collector<Gauge.Child>> _containerGauges = [];
    private readonly Dictionary<UsageMetric, Gauge> _nodeValues = [];
    private readonly Gauge _running;
    private readonly Gauge _limits;
    private readonly Gauge _sweeps;
    private readonly Gauge _samplerCpu;
    private readonly Gauge _lastSweep;
    private readonly HashSet<string> _exported = [];
    private readonly Lock _gate = new();

    public PrometheusExporter(HakodOptions options, UsageSampler sampler, IStateStore store)
    {
        _sampler = sampler;
        _store = store;
        _maxAge = options.SampleIntervalSpan;
        var f = Metrics.WithCustomRegistry(_registry);
        foreach (var m in UsageMetrics.All.Where(m => m.Metric != UsageMetric.Load1))
        {
            var name = "hako_container_" + m.Prometheus;
            if (m.Kind == MetricKind.Counter)
            {
                _containerCounters[m.Metric] = f.CreateCounter(name, m.Help, "container");
            }
            else
            {
                _containerGauges[m.Metric] = f.CreateGauge(name, m.Help, "container");
            }
        }

        // Node counters are exported as gauges of their running totals (set, not incremented, from the kernel's value).
        foreach (var m in UsageMetrics.All.Where(m => m.Metric is not (UsageMetric.LimitHits or >= UsageMetric.IoReadBytes and <= UsageMetric.NetTxPackets)))
        {
            _nodeValues[m.Metric] = f.CreateGauge("hako_node_" + m.Prometheus, m.Help + " (whole node)");
        }

        _running = f.CreateGauge("hako_container_running", "1 when the container runs, 0 when it is stopped", "container");
        _limits = f.CreateGauge("hako_container_limit", "The container's limit for a resource (cpu in cores, memory/swap/disk in bytes, processes)", "container", "resource");
        _sweeps = f.CreateGauge("hako_sampler_sweeps_total", "Usage sampler sweeps since hakod started");
        _samplerCpu = f.CreateGauge("hako_sampler_cpu_seconds_total", "CPU time the usage sampler used (sweeps and compaction)");
        _lastSweep = f.CreateGauge("hako_sampler_last_sweep_seconds", "Wall time of the last sweep");
        _registry.AddBeforeCollectCallback(Update);
    }

    public Task ExportAsync(Stream stream, CancellationToken ct) => _registry.CollectAndExportAsTextAsync(stream, ct);

    private void Update()
    {
        lock (_gate)
        {
            var (latest, _) = _sampler.Readings(_maxAge);
            var records = _store.ListContainers();
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var r in records)
            {
                present.Add(r.Name);
                _running.WithLabels(r.Name).Set(latest.ContainsKey(r.Name) ? 1 : 0);
                SetLimits(r);
                if (latest.TryGetValue(r.Name, out var s))
                {
                    SetContainer(s);
                }
                else
                {
                    RemoveUsage(r.Name);
                }
            }

            foreach (var gone in _exported.Where(n => !present.Contains(n)).ToList())
            {
                RemoveUsage(gone);
                _running.RemoveLabelled(gone);
                foreach (var resource in UsageLimits.Resources)
                {
                    _limits.RemoveLabelled(gone, resource);
                }

                _exported.Remove(gone);
            }

            _exported.UnionWith(present);
            if (latest.TryGetValue(UsageSample.NodeSeries, out var node))
            {
                foreach (var (metric, gauge) in _nodeValues)
                {
                    if (node[metric] is { } v)
                    {
                        gauge.Set(Shown(metric, v));
                    }
                }
            }

            var cost = _sampler.Cost;
            _sweeps.Set(cost.Sweeps);
            _samplerCpu.Set(cost.CpuTime.TotalSeconds);
            _lastSweep.Set(cost.LastWall.TotalSeconds);
        }
    }

    private void SetLimits(ContainerRecord r)
    {
        var limits = UsageLimits.Of(r);
        foreach (var resource in UsageLimits.Resources)
        {
            if (limits.TryGetValue(resource, out var v))
            {
                _limits.WithLabels(r.Name, resource).Set(v);
            }
            else
            {
                _limits.RemoveLabelled(r.Name, resource);
            }
        }
    }

    private void SetContainer(UsageSample s)
    {
        foreach (var (metric, counter) in _containerCounters)
        {
            if (s[metric] is not { } raw)
            {
                continue;
            }

            var value = Shown(metric, raw);
            if (value < counter.WithLabels(s.Series).Value)
            {
                counter.RemoveLabelled(s.Series);
            }

            counter.WithLabels(s.Series).IncTo(value);
        }

        foreach (var (metric, gauge) in _containerGauges)
        {
            if (s[metric] is { } v)
            {
                gauge.WithLabels(s.Series).Set(Shown(metric, v));
            }
        }
    }

    private void RemoveUsage(string container)
    {
        foreach (var c in _containerCounters.Values)
        {
            c.RemoveLabelled(container);
        }

        foreach (var g in _containerGauges.Values)
        {
            g.RemoveLabelled(container);
        }
    }

    /// <summary>A stored value in the exported unit: CPU in seconds, load as a fraction, the rest as measured.</summary>
    private static double Shown(UsageMetric metric, long value) =>
        value / UsageMetrics.Info(metric).Scale;
}
