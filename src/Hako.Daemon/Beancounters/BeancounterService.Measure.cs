using Hako.Core.Containers;
using Hako.Core.Resources;
using Hako.Linux.Beancounters;

namespace Hako.Daemon.Beancounters;

public sealed partial class BeancounterService
{
    /// <summary>Held values from cgroup files and procfs (no process is spawned), with the kernel's own maxheld/failcnt.</summary>
    private Dictionary<UbcResource, Measurement> Measure(ContainerRecord r)
    {
        var result = new Dictionary<UbcResource, Measurement>();
        var group = containers.CgroupGroup(r.Name);
        if (containers.InitPid(r.Name) is not { } pid)
        {
            return result;
        }

        BeancounterSample sample;
        try
        {
            sample = probe.Measure(group, pid);
        }
        catch (IOException)
        {
            return result; // stopped while we looked
        }

        foreach (var (res, reading) in sample.Readings)
        {
            if (reading.Held is { } held)
            {
                var failCnt = reading.KernelFailCnt;
                // With no swap allowed the kernel may hit memsw before memory, so an OOM kill counts as a failure too.
                if (res == UbcResource.PhysPages && OomKills(group) is { } kills)
                {
                    failCnt = Math.Max(failCnt ?? 0, kills);
                }

                result[res] = new Measurement(held, reading.KernelMaxHeld, failCnt);
            }
        }

        return result;
    }

    private long? OomKills(string group)
    {
        try
        {
            return cgroups.ReadStats(group).OomKillCount;
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
