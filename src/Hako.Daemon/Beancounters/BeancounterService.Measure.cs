using Hako.Core.Containers;
using Hako.Core.Resources;

namespace Hako.Daemon.Beancounters;

public sealed partial class BeancounterService
{
    private const long Page = UbcParameters.PageSize;

    /// <summary>Held values the cgroup files give (numproc, physpages, swappages), with the kernel's own failcnt.</summary>
    private Dictionary<UbcResource, Measurement> Measure(ContainerRecord r)
    {
        var result = new Dictionary<UbcResource, Measurement>();
        Linux.Cgroups.CgroupStats s;
        try
        {
            s = cgroups.ReadStats(containers.CgroupGroup(r.Name));
        }
        catch (IOException)
        {
            return result;
        }

        result[UbcResource.NumProc] = new(s.PidsCurrent ?? 0, null, s.PidsMaxEvents ?? 0);
        // With no swap allowed the kernel may hit memsw before memory, so an OOM kill counts as a failure too.
        result[UbcResource.PhysPages] = new((s.MemoryUsageBytes ?? 0) / Page, s.MemoryMaxUsageBytes / Page,
            Math.Max(s.MemoryFailCount ?? 0, s.OomKillCount ?? 0));
        result[UbcResource.SwapPages] = new((s.SwapUsageBytes ?? 0) / Page, null, null);
        if (s.MemoryStat is { } stat)
        {
            result[UbcResource.ShmPages] = new(stat.GetValueOrDefault("shmem") / Page, null, null);
        }

        return result;
    }

    private static string EnforcementOf(UbcResource r) => r switch
    {
        UbcResource.NumProc or UbcResource.PhysPages or UbcResource.SwapPages => "enforced",
        UbcResource.ShmPages => "accounted",
        _ => "unavailable",
    };
}
