namespace Hako.Core.Resources;

/// <summary>The plans every node has before the operator defines any.</summary>
public static class BuiltInPlans
{
    private const long Mib = 1L << 20;
    private const long Gib = 1L << 30;

    /// <summary>A small VPS: best-effort, 512M RAM + 512M swap, one CPU, 10G.</summary>
    public static Plan Small { get; } = new()
    {
        Name = "small",
        Description = "Small VPS: 512M RAM + 512M swap, 1 CPU, 10G disk; 256M and a quarter CPU guaranteed",
        Kind = PlanKind.BestEffort,
        Mode = MemoryMode.Slm,
        Guarantees = new() { MemoryBytes = 256 * Mib, Cpus = 0.25, DiskBytes = 10 * Gib },
        Limits = new() { MemoryBytes = 512 * Mib, SwapBytes = 512 * Mib, Cpus = 1, CpuLimitPercent = 100, CpuUnits = 1000, Processes = 256, DiskBytes = 10 * Gib, IoPrio = 4 },
    };

    /// <summary>A medium VPS: best-effort, 2G RAM + 1G swap, two CPUs, 40G.</summary>
    public static Plan Medium { get; } = new()
    {
        Name = "medium",
        Description = "Medium VPS: 2G RAM + 1G swap, 2 CPUs, 40G disk; 1G and half a CPU guaranteed",
        Kind = PlanKind.BestEffort,
        Mode = MemoryMode.Slm,
        Guarantees = new() { MemoryBytes = 1 * Gib, Cpus = 0.5, DiskBytes = 40 * Gib },
        Limits = new() { MemoryBytes = 2 * Gib, SwapBytes = 1 * Gib, Cpus = 2, CpuLimitPercent = 200, CpuUnits = 2000, Processes = 1024, DiskBytes = 40 * Gib, IoPrio = 4 },
    };

    /// <summary>A large VPS: guaranteed (reserved whole, never oversold), 4G RAM + 1G swap, two CPUs, 80G.</summary>
    public static Plan Large { get; } = new()
    {
        Name = "large",
        Description = "Large VPS, guaranteed: 4G RAM + 1G swap, 2 CPUs, 80G disk, all reserved",
        Kind = PlanKind.Guaranteed,
        Mode = MemoryMode.Slm,
        Guarantees = new() { MemoryBytes = 4 * Gib, Cpus = 2, DiskBytes = 80 * Gib },
        Limits = new() { MemoryBytes = 4 * Gib, SwapBytes = 1 * Gib, Cpus = 2, CpuLimitPercent = 200, CpuUnits = 4000, Processes = 2048, DiskBytes = 80 * Gib, IoPrio = 6 },
    };

    /// <summary>
    /// OpenVZ's classic UBC sample, converted value for value from vzctl's
    /// <c>etc/conf/ve-vps.basic.conf-sample.x86_64</c> (Copyright SWsoft 2000-2007; e.g. github.com/kolyshkin/vzctl
    /// at 6c501234). Memory guarantee = VMGUARPAGES barrier 6144 pages (24M); memory limit = PRIVVMPAGES limit
    /// 38181 pages (149.1M), since PHYSPAGES is unlimited there; disk = DISKSPACE 1048576:1153434 KiB (soft limit
    /// as guarantee, hard limit as limit); CPUUNITS 1000. The sample's DISKINODES 200000:220000 and QUOTATIME have
    /// no counterpart in a plan.
    /// </summary>
    public static Plan VpsBasic { get; } = new Plan
    {
        Name = "vps-basic",
        Description = "OpenVZ ve-vps.basic.conf-sample (x86_64): classic UBC, numproc 65, privvmpages 35000:38181",
        Kind = PlanKind.BestEffort,
        Mode = MemoryMode.Ubc,
        Guarantees = new() { MemoryBytes = 6144 * UbcParameters.PageSize, Cpus = 0, DiskBytes = 1048576 * 1024L },
        Limits = new() { CpuUnits = 1000, DiskBytes = 1153434 * 1024L },
        Beancounters = BeancounterSet.Parse(new Dictionary<string, string>
        {
            // Primary parameters
            ["AVNUMPROC"] = "40:40",
            ["NUMPROC"] = "65:65",
            ["NUMTCPSOCK"] = "80:80",
            ["NUMOTHERSOCK"] = "80:80",
            ["VMGUARPAGES"] = "6144:9223372036854775807",
            // Secondary parameters
            ["KMEMSIZE"] = "5242880:5592405",
            ["TCPSNDBUF"] = "319488:524288",
            ["TCPRCVBUF"] = "319488:524288",
            ["OTHERSOCKBUF"] = "132096:336896",
            ["DGRAMRCVBUF"] = "132096:132096",
            ["OOMGUARPAGES"] = "6144:9223372036854775807",
            // Auxiliary parameters
            ["LOCKEDPAGES"] = "32:32",
            ["SHMPAGES"] = "8192:8192",
            ["PRIVVMPAGES"] = "35000:38181",
            ["NUMFILE"] = "2048:2048",
            ["NUMFLOCK"] = "100:110",
            ["NUMPTY"] = "16:16",
            ["NUMSIGINFO"] = "256:256",
            ["DCACHESIZE"] = "1048576:1097728",
            ["PHYSPAGES"] = "0:9223372036854775807",
            ["NUMIPTENT"] = "128:128",
            // SWAPPAGES is not in the sample (it predates VSwap): unlimited.
        }),
    }.SyncFromBeancounters();

    /// <summary>
    /// OpenVZ's VSwap sample, from vzctl's <c>etc/conf/ve-vswap-256m.conf-sample</c> (Copyright Parallels
    /// 2000-2011; e.g. github.com/kolyshkin/vzctl at 04326768): PHYSPAGES 0:256M, SWAPPAGES 0:512M, every other
    /// beancounter unlimited, DISKSPACE 1G, CPUUNITS 1000. Nothing is guaranteed.
    /// </summary>
    public static Plan VSwap256M { get; } = new Plan
    {
        Name = "vswap-256m",
        Description = "OpenVZ ve-vswap-256m.conf-sample: VSwap, physpages 0:256M, swappages 0:512M, the rest unlimited",
        Kind = PlanKind.BestEffort,
        Mode = MemoryMode.Ubc,
        Guarantees = new(),
        Limits = new() { CpuUnits = 1000, DiskBytes = 1 * Gib },
        Beancounters = BeancounterSet.Parse(new Dictionary<string, string>
        {
            ["PHYSPAGES"] = "0:256M",
            ["SWAPPAGES"] = "0:512M",
        }),
    }.SyncFromBeancounters();

    public static IReadOnlyList<Plan> All { get; } = [Small, Medium, Large, VpsBasic, VSwap256M];

    public static Plan? Find(string name) => All.FirstOrDefault(p => p.Name == name);
}
