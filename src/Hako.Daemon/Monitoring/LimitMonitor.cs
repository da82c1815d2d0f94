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
        // Stored counters are read once and changed in one transaction per poll, not queried per container.
        var stored = store.GetCounterBaselines(beancounters: false);
        var changes = new List<(string, string, long)>();
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
                stats = cgroups.ReadEventCounters(group);
            }
            catch (IOException)
            {
                continue;
            }

            void Check(string counter, long? value, string detail)
            {
                if (value is not { } v)
                {
                    return;
                }

                var baseline = stored.GetValueOrDefault((r.Name, counter));
                if (v > baseline)
                {
                    store.AddLimitEvent(r.Name, counter, v - baseline, time.GetUtcNow(), detail);
                    Log.LimitHit(log, r.Name, counter, v - baseline, detail);
                }

                if (v != baseline)
                {
                    changes.Add((r.Name, counter, v));
                }
            }

            Check("memory.failcnt", stats.MemoryFailCount, $"memory limit {Core.Units.Size.Format(r.Limits.MemoryBytes)} reached");
            Check("oom_kill", stats.OomKillCount, "a process was killed by the OOM killer inside the container");
            Check("pids.max", stats.PidsMaxEvents, $"process limit {r.Limits.Processes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} reached; fork failed");

            // ENOSPC on the private area: the kernel keeps no counter, so count each time it is seen full.
            if (containers.DiskUsage(r.Name) is { TotalBytes: > 0 } disk)
            {
                // ext4 stops a writer with a few hundred KB still free (metadata), so "full" is under 1% or 1M left.
                var full = disk.AvailableBytes < Math.Max(disk.TotalBytes / 100, 1L << 20) ? 1 : 0;
                var wasFull = stored.GetValueOrDefault((r.Name, "diskspace:full"));
                if (full == 1 && wasFull == 0)
                {
                    Check("diskspace", stored.GetValueOrDefault((r.Name, "diskspace")) + 1,
                        $"disk quota {Core.Units.Size.Format(r.Limits.DiskBytes)} full; writes fail with ENOSPC");
                }

                if (full != wasFull)
                {
                    changes.Add((r.Name, "diskspace:full", full));
                }
            }
        }

        store.SetCounterBaselines(changes);
    }
}
