using Hako.Core.Containers;
using Hako.Daemon.Containers;
using Hako.Daemon.Options;
using Hako.Linux.Cgroups;
using Hako.State;

namespace Hako.Daemon.Monitoring;

/// <summary>
/// Polls each running container's kernel counters (memory failcnt, OOM kills, pids.max hits) and records
/// every rise as a limit event, so `hako show` can tell which limit a container hit, how often and when.
/// Baselines are stored, so a hakod restart neither loses nor double-counts events.
/// </summary>
public sealed class LimitMonitor(
    HakodOptions options, IStateStore store, ICgroupDriver cgroups, ContainerService containers,
    Beancounters.BeancounterService beancounters, TimeProvider time, ILogger<LimitMonitor> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.MonitorIntervalSeconds), time);
        var tick = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                PollOnce();
                // The full beancounter sweep (procfs walks) runs every 10 s; limit events every tick.
                if (++tick * options.MonitorIntervalSeconds % 10 == 0)
                {
                    beancounters.Sweep();
                }
            }
            catch (Exception e)
            {
                Log.MonitorError(log, e.Message);
            }
        }
    }

    public void PollOnce()
    {
        foreach (var r in store.ListContainers().Where(r => r.Status == RecordStatus.Ready))
        {
            var group = containers.CgroupGroup(r.Name);
            if (!cgroups.IsPopulated(group))
            {
                continue;
            }

            CgroupStats stats;
            try
            {
                stats = cgroups.ReadStats(group);
            }
            catch (IOException)
            {
                continue;
            }

            Check(r.Name, "memory.failcnt", stats.MemoryFailCount, $"memory limit {Core.Units.Size.Format(r.Limits.MemoryBytes)} reached");
            Check(r.Name, "oom_kill", stats.OomKillCount, "a process was killed by the OOM killer inside the container");
            // ENOSPC on the private area: the kernel keeps no counter, so count each time it is seen full.
            if (containers.DiskUsage(r.Name) is { TotalBytes: > 0 } disk)
            {
                // ext4 stops a writer with a few hundred KB still free (metadata), so "full" is under 1% or 1M left.
                var full = disk.AvailableBytes < Math.Max(disk.TotalBytes / 100, 1L << 20) ? 1 : 0;
                var wasFull = store.GetCounterBaseline(r.Name, "diskspace:full") ?? 0;
                if (full == 1 && wasFull == 0)
                {
                    var count = (store.GetCounterBaseline(r.Name, "diskspace") ?? 0) + 1;
                    Check(r.Name, "diskspace", count, $"disk quota {Core.Units.Size.Format(r.Limits.DiskBytes)} full; writes fail with ENOSPC");
                }

                if (full != wasFull)
                {
                    store.SetCounterBaseline(r.Name, "diskspace:full", full);
                }
            }

            Check(r.Name, "pids.max", stats.PidsMaxEvents, $"process limit {r.Limits.Processes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} reached; fork failed");
        }
    }

    private void Check(string name, string counter, long? value, string detail)
    {
        if (value is not { } v)
        {
            return;
        }

        var baseline = store.GetCounterBaseline(name, counter) ?? 0;
        if (v > baseline)
        {
            store.AddLimitEvent(name, counter, v - baseline, time.GetUtcNow(), detail);
            Log.LimitHit(log, name, counter, v - baseline, detail);
        }

        if (v != baseline)
        {
            store.SetCounterBaseline(name, counter, v);
        }
    }
}
