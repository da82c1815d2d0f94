using Hako.Core.Containers;
using Hako.Core.Resources;
using Hako.Linux.Beancounters;

namespace Hako.Daemon.Beancounters;

public sealed partial class BeancounterService
{
    /// <summary>Held values from cgroup files and procfs (no process is spawned), with the kernel's own maxheld/failcnt.</summary>
    private Dictionary<UbcResource, Measurement> Measure(ContainerRecord r) =>
        MeasureAll([r]).GetValueOrDefault(r.Name) ?? [];

    /// <summary>One probe pass over many containers: host-wide files such as /proc/locks are read once, not per container.</summary>
    private Dictionary<string, Dictionary<UbcResource, Measurement>> MeasureAll(IEnumerable<ContainerRecord> records)
    {
        var targets = new List<(string Name, string Group, int Pid)>();
        foreach (var r in records)
        {
            if (containers.InitPid(r.Name) is { } pid)
            {
                targets.Add((r.Name, containers.CgroupGroup(r.Name), pid));
            }
        }

        IReadOnlyList<BeancounterSample> samples;
        try
        {
            samples = probe.MeasureAll(targets.Select(t => (t.Group, t.Pid)));
        }
        catch (IOException)
        {
            // One stopped while we looked: measure one by one and skip what is gone.
            samples = [.. targets.Select(t => TryMeasure(t.Group, t.Pid)).OfType<BeancounterSample>()];
        }

        var result = new Dictionary<string, Dictionary<UbcResource, Measurement>>();
        foreach (var sample in samples)
        {
            var name = targets.First(t => t.Group == sample.Group).Name;
            var m = new Dictionary<UbcResource, Measurement>();
            foreach (var (res, reading) in sample.Readings)
            {
                if (reading.Held is not { } held)
                {
                    continue;
                }

                var failCnt = reading.KernelFailCnt;
                // With no swap allowed the kernel may hit memsw before memory, so an OOM kill counts as a failure too.
                if (res == UbcResource.PhysPages && OomKills(sample.Group) is { } kills)
                {
                    failCnt = Math.Max(failCnt ?? 0, kills);
                }

                m[res] = new Measurement(held, reading.KernelMaxHeld, failCnt);
            }

            result[name] = m;
        }

        return result;
    }

    private BeancounterSample? TryMeasure(string group, int pid)
    {
        try
        {
            return probe.Measure(group, pid);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private long? OomKills(string group)
    {
        try
        {
            return cgroups.ReadEventCounters(group).OomKillCount;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>enforced, enforced-per-process, protected, hint, accounted or unavailable, as docs/ubc.md explains.</summary>
    private string EnforcementOf(UbcResource r) => BeancounterKernelMap.For(r, cgroups.Version).Status switch
    {
        UbcEnforcement.Enforced => "enforced",
        UbcEnforcement.EnforcedPerProcess => "enforced-per-process",
        UbcEnforcement.Protected => "protected",
        UbcEnforcement.Hint => "hint",
        UbcEnforcement.Accounted => "accounted",
        _ => "unavailable",
    };
}
