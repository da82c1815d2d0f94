using Hako.Core.Containers;
using Hako.Core.Usage;
using Hako.Daemon.Containers;
using Hako.Daemon.Options;
using Hako.Linux.Cgroups;
using Hako.Linux.Cgroups.Io;
using Hako.Linux.Procfs;
using Hako.Runtime;
using Hako.Runtime.Lxc;
using Hako.State;

namespace Hako.Daemon.Usage;

/// <summary>
/// Records what every running container and the node use, every --sample-interval: CPU time,
/// memory, swap, page cache, disk and inodes, I/O and network counters, processes, OOM kills and
/// limit hits. Each sweep reads a few cgroup files per container plus /proc/net/dev, /proc/stat,
/// /proc/meminfo and /proc/loadavg once, and writes one row per series in one transaction.
/// Every bucket length it also compacts: complete buckets of raw samples become aggregates, and
/// samples past their retention go. The two newest readings stay in memory for the live view.
/// </summary>
public sealed class UsageSampler(
    HakodOptions options, IStateStore store, IUsageStore usage, ICgroupDriver cgroups, IIoController io,
    ContainerService containers, NodePaths paths, TimeProvider time, ILogger<UsageSampler> log) : BackgroundService
{
    private readonly Lock _gate = new();
    private Dictionary<string, UsageSample> _latest = [];
    private Dictionary<string, UsageSample> _previous = [];
    private DateTimeOffset _latestTime = DateTimeOffset.MinValue;

    /// <summary>
    /// The cost of the sampler so far: sweeps, the CPU time of sweeps and compactions (the sampling
    /// thread's own, measured around each), and the last sweep's wall and CPU time.
    /// </summary>
    public SamplerCost Cost { get; private set; } = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0);

    /// <summary>A rate over a gap longer than this would be an invented average: such points are left empty.</summary>
    public TimeSpan MaxGap => options.Retention.MaxGap;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.SampleIntervalSpan;
        var bucket = options.HistoryBucketSpan;
        var nextCompact = time.GetUtcNow();
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                Sweep();
                if (time.GetUtcNow() >= nextCompact)
                {
                    // Compaction is part of what the sampler costs: its CPU time counts with the sweeps'.
                    var cpu0 = Linux.Interop.ThreadCpuTime.Now();
                    Compact();
                    Cost = Cost with { CpuTime = Cost.CpuTime + (Linux.Interop.ThreadCpuTime.Now() - cpu0) };
                    // Just after the next bucket boundary, so each bucket is aggregated once it is complete.
                    nextCompact = UsageMath.BucketStart(time.GetUtcNow(), bucket) + bucket + interval;
                }
            }
            catch (Exception e)
            {
                Log.SamplerError(log, e.Message, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Reads every series and stores the samples.</summary>
    public IReadOnlyList<UsageSample> Sweep()
    {
        lock (_gate)
        {
            var cpu0 = Linux.Interop.ThreadCpuTime.Now();
            var start = time.GetTimestamp();
            var samples = ReadAll(time.GetUtcNow());
            usage.AppendRaw(samples);
            var cpu = Linux.Interop.ThreadCpuTime.Now() - cpu0;
            var wall = time.GetElapsedTime(start);
            Cost = new SamplerCost(Cost.Sweeps + 1, Cost.CpuTime + cpu, wall, cpu, samples.Count - 1);
            return samples;
        }
    }

    /// <summary>
    /// The newest two readings per series, taking a fresh (unstored) reading first when the newest
    /// is older than <paramref name="maxAge"/>, so `hako top` refreshes faster than the sample interval.
    /// </summary>
    public (IReadOnlyDictionary<string, UsageSample> Latest, IReadOnlyDictionary<string, UsageSample> Previous) Readings(TimeSpan maxAge)
    {
        lock (_gate)
        {
            if (time.GetUtcNow() - _latestTime > maxAge)
            {
                ReadAll(time.GetUtcNow());
            }

            return (_latest, _previous);
        }
    }

    /// <summary>Aggregates complete buckets of raw samples, prunes what is past retention, and forgets destroyed containers.</summary>
    public void Compact()
    {
        var known = store.ListContainers().Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        UsageCompactor.Compact(usage, options.Retention, time.GetUtcNow(), known.Contains);
    }

    private List<UsageSample> ReadAll(DateTimeOffset now)
    {
        var samples = new List<UsageSample>();
        IReadOnlyDictionary<string, InterfaceCounters> interfaces;
        try
        {
            interfaces = ProcNetDev.Read();
        }
        catch (IOException)
        {
            interfaces = new Dictionary<string, InterfaceCounters>();
        }

        foreach (var r in store.ListContainers())
        {
            if (r.Status == RecordStatus.Ready && ReadContainer(r, now, interfaces) is { } sample)
            {
                samples.Add(sample);
            }
        }

        samples.Add(ReadNode(now));
        Remember(samples, now);
        return samples;
    }

    private UsageSample? ReadContainer(ContainerRecord r, DateTimeOffset now, IReadOnlyDictionary<string, InterfaceCounters> interfaces)
    {
        var group = containers.CgroupGroup(r.Name);
        CgroupUsage cg;
        try
        {
            cg = cgroups.ReadUsage(group);
        }
        catch (Core.Errors.HakoException)
        {
            return null;
        }

        // A stopped container has no group, or an empty one until the next start removes it.
        if (cg.Processes is null or 0)
        {
            return null;
        }

        var v = UsageSample.NewValues();
        v[(int)UsageMetric.Cpu] = cg.CpuUsageNanoseconds;
        v[(int)UsageMetric.Memory] = cg.WorkingSetBytes;
        v[(int)UsageMetric.Swap] = cg.SwapBytes;
        v[(int)UsageMetric.PageCache] = cg.PageCacheBytes;
        v[(int)UsageMetric.Processes] = cg.Processes;
        v[(int)UsageMetric.OomKills] = cg.OomKills;
        v[(int)UsageMetric.LimitHits] = cg.LimitHits;
        if (containers.DiskUsage(r.Name) is { TotalBytes: > 0 } disk)
        {
            v[(int)UsageMetric.DiskUsed] = disk.TotalBytes - disk.FreeBytes;
            v[(int)UsageMetric.InodesUsed] = disk.TotalInodes - disk.FreeInodes;
        }

        if (ReadIo(group) is { } ios)
        {
            v[(int)UsageMetric.IoReadBytes] = ios.ReadBytes;
            v[(int)UsageMetric.IoWriteBytes] = ios.WriteBytes;
            v[(int)UsageMetric.IoReadOps] = ios.ReadOps;
            v[(int)UsageMetric.IoWriteOps] = ios.WriteOps;
        }

        // The host side of the veth: what the host receives, the container sent.
        if (r.Ip is not null && interfaces.TryGetValue(LxcDriver.HostVethName(group), out var net))
        {
            v[(int)UsageMetric.NetRxBytes] = net.TxBytes;
            v[(int)UsageMetric.NetTxBytes] = net.RxBytes;
            v[(int)UsageMetric.NetRxPackets] = net.TxPackets;
            v[(int)UsageMetric.NetTxPackets] = net.RxPackets;
        }

        return new UsageSample(r.Name, now, v);
    }

    private IoStats? ReadIo(string group)
    {
        try
        {
            return io.ReadStats(group);
        }
        catch (Core.Errors.HakoException)
        {
            return null;
        }
    }

    private UsageSample ReadNode(DateTimeOffset now)
    {
        var v = UsageSample.NewValues();
        try
        {
            v[(int)UsageMetric.Cpu] = ProcStat.ReadBusyNanoseconds();
            var mem = ProcMeminfo.Read();
            v[(int)UsageMetric.Memory] = mem.MemTotalBytes - mem.MemAvailableBytes;
            v[(int)UsageMetric.Swap] = mem.SwapTotalBytes - mem.SwapFreeBytes;
            v[(int)UsageMetric.PageCache] = mem.CachedBytes;
            var (load1, tasks) = ProcStat.ReadLoadavg();
            v[(int)UsageMetric.Load1] = (long)Math.Round(load1 * UsageMetrics.Info(UsageMetric.Load1).Scale);
            v[(int)UsageMetric.Processes] = tasks;
            var disk = Linux.Interop.Statvfs.Get(paths.DataDir);
            v[(int)UsageMetric.DiskUsed] = disk.TotalBytes - disk.FreeBytes;
            v[(int)UsageMetric.InodesUsed] = disk.TotalInodes - disk.FreeInodes;
            v[(int)UsageMetric.OomKills] = ProcStat.ReadOomKills();
        }
        catch (Exception e) when (e is IOException or Core.Errors.HakoException)
        {
            Log.SamplerError(log, "node: " + e.Message, e);
        }

        return new UsageSample(UsageSample.NodeSeries, now, v);
    }

    /// <summary>Keeps the two newest readings at least a second apart, so rates never come from a sliver of time.</summary>
    private void Remember(List<UsageSample> samples, DateTimeOffset now)
    {
        var fresh = samples.ToDictionary(s => s.Series, StringComparer.Ordinal);
        if (now - _latestTime >= TimeSpan.FromSeconds(1))
        {
            _previous = _latest;
        }

        _latest = fresh;
        _latestTime = now;
    }
}

/// <summary>What the sampler has cost: sweeps done, their total CPU time, and the last sweep's wall and CPU time and container count.</summary>
public sealed record SamplerCost(long Sweeps, TimeSpan CpuTime, TimeSpan LastWall, TimeSpan LastCpu, int LastContainers);
