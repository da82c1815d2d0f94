using Hako.Core.Containers;
using Hako.Daemon.Containers;
using Hako.Daemon.Options;
using Hako.Linux.Cgroups;
using Hako.State;

namespace Hako.Daemon.Monitoring;

/// <summary>
/// Polls each running container's kernel counters (memory failcnt, OOM kills, pids.max hits) and records
/// every rise as a limit event, so `hako show` can tell which limit a container hit, how often and when,
/// and publishes it (hako events), with disk full / nearly full and containers that stopped on their own.
/// Baselines are stored, so a hakod restart neither loses nor double-counts events.
/// </summary>
public sealed class LimitMonitor(
    HakodOptions options, IStateStore store, ICgroupDriver cgroups, ContainerService containers,
    Beancounters.BeancounterService beancounters, Events.EventLog events, TimeProvider time, ILogger<LimitMonitor> log) : BackgroundService
{
    /// <summary>"Disk nearly full" when this much of the private area is used; re-armed once usage falls below <see cref="DiskNearlyFullRearm"/>.</summary>
    internal const double DiskNearlyFull = 0.90;
    internal const double DiskNearlyFullRearm = 0.85;

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
                Log.MonitorError(log, e.Message, e);
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
                CheckExited(r, stored, changes);
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

            void Check(Contracts.EventType type, string counter, long? value, string detail)
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
                    events.Publish(type, r.Name, detail, counter, v - baseline);
                }

                if (v != baseline)
                {
                    changes.Add((r.Name, counter, v));
                }
            }

            Check(Contracts.EventType.LimitHit, "memory.failcnt", stats.MemoryFailCount, $"memory limit {Core.Units.Size.Format(r.Limits.MemoryBytes)} reached");
            Check(Contracts.EventType.OomKill, "oom_kill", stats.OomKillCount, "a process was killed by the OOM killer inside the container");
            Check(Contracts.EventType.LimitHit, "pids.max", stats.PidsMaxEvents,
                $"process limit (numproc) {r.Limits.Processes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unlimited"} reached; fork failed");

            // ENOSPC on the private area: the kernel keeps no counter, so count each time it is seen full.
            if (containers.DiskUsage(r.Name) is { TotalBytes: > 0 } disk)
            {
                // ext4 stops a writer with a few hundred KB still free (metadata), so "full" is under 1% or 1M left.
                var full = disk.AvailableBytes < Math.Max(disk.TotalBytes / 100, 1L << 20) ? 1 : 0;
                var wasFull = stored.GetValueOrDefault((r.Name, "diskspace:full"));
                if (full == 1 && wasFull == 0)
                {
                    Check(Contracts.EventType.DiskFull, "diskspace", stored.GetValueOrDefault((r.Name, "diskspace")) + 1,
                        $"disk quota {Core.Units.Size.Format(r.Limits.DiskBytes)} full; writes fail with ENOSPC");
                }

                if (full != wasFull)
                {
                    changes.Add((r.Name, "diskspace:full", full));
                }

                // Once per crossing of 90%, re-armed below 85% so usage hovering at the mark does not repeat it.
                var used = 1 - (double)disk.AvailableBytes / disk.TotalBytes;
                var wasNearly = stored.GetValueOrDefault((r.Name, "diskspace:nearly"));
                var nearly = used >= DiskNearlyFull || (wasNearly == 1 && used >= DiskNearlyFullRearm) ? 1 : 0;
                if (nearly == 1 && wasNearly == 0)
                {
                    events.Publish(Contracts.EventType.DiskNearlyFull, r.Name,
                        $"{used * 100:0}% of the disk quota {Core.Units.Size.Format(r.Limits.DiskBytes)} used", "diskspace");
                }

                if (nearly != wasNearly)
                {
                    changes.Add((r.Name, "diskspace:nearly", nearly));
                }
            }
        }

        store.SetCounterBaselines(changes);
    }

    /// <summary>
    /// A container that should run but whose cgroup is empty, with no lifecycle action under way, ended on
    /// its own (its init exited or was killed): published once per run ("exited" is reset on the next start).
    /// </summary>
    private void CheckExited(ContainerRecord r, IReadOnlyDictionary<(string, string), long> stored, List<(string, string, long)> changes)
    {
        // Re-read after the busy check: a stop that finished since the list was read has set desired = stopped.
        if (r.DesiredState != "running" || stored.GetValueOrDefault((r.Name, "exited")) != 0 || containers.Locks.IsBusy(r.Name)
            || store.GetContainer(r.Name) is not { Status: RecordStatus.Ready, DesiredState: "running" })
        {
            return;
        }

        events.Publish(Contracts.EventType.Stopped, r.Name, "exited on its own: init ended or was killed (not stopped through hakod)");
        changes.Add((r.Name, "exited", 1));
    }
}
