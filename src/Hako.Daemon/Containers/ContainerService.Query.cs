using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Linux.Cgroups;
using Hako.Linux.Interop;
using Hako.Core.Resources;
using Hako.Linux.Procfs;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>All containers with cheap live state (cgroup files and statfs only: no process is spawned per container).</summary>
    public IReadOnlyList<ContainerInfo> List()
    {
        var list = new List<ContainerInfo>();
        foreach (var r in store.ListContainers())
        {
            list.Add(ToInfo(r, detailed: false));
        }

        return list;
    }

    public async Task<ContainerInfo> ShowAsync(string name, CancellationToken ct = default)
    {
        var r = store.GetContainer(name) ?? throw Core.Errors.HakoException.NotFound($"Container {name} does not exist; see hako list");
        var info = ToInfo(r, detailed: true);
        if (info.State == "running")
        {
            // The container's init is the member of its cgroup that is pid 1 of its own namespace: a few
            // file reads instead of spawning lxc-info, which keeps `hako exec`'s lookup cheap.
            info = info with { InitPid = InitPid(name) ?? await lxc.GetInitPidAsync(name, ct) };
        }

        return info;
    }

    internal Linux.Interop.Statvfs.FsUsage? DiskUsage(string name)
    {
        try
        {
            return storage.Usage(name);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The container's init: the member of its cgroup that is pid 1 of its own namespace (a few file reads).</summary>
    internal int? InitPid(string name)
    {
        var pid = cgroups.Processes(CgroupGroup(name)).FirstOrDefault(p => ProcStatus.IsNamespaceInit(p));
        return pid != 0 ? pid : null;
    }

    private ContainerInfo ToInfo(ContainerRecord r, bool detailed)
    {
        var state = r.Status switch
        {
            RecordStatus.Creating => "creating",
            RecordStatus.Destroying => "destroying",
            RecordStatus.Incoming => "incoming",
            _ => IsRunning(r.Name) ? "running" : "stopped",
        };
        CgroupStats? stats = null;
        if (state == "running")
        {
            try
            {
                stats = cgroups.ReadStats(CgroupGroup(r.Name));
            }
            catch (IOException)
            {
                // Stopped between the two reads.
            }
        }

        Linux.Cgroups.Io.IoStats? ioStats = null;
        if (state == "running")
        {
            try
            {
                ioStats = io.ReadStats(CgroupGroup(r.Name));
            }
            catch (IOException)
            {
            }
        }

        Statvfs.FsUsage? disk = null;
        try
        {
            disk = storage.Usage(r.Name);
        }
        catch (IOException)
        {
        }

        var info = new ContainerInfo
        {
            Name = r.Name,
            State = state,
            Template = r.Template,
            Ip = r.Ip,
            Hostname = r.Hostname,
            Nameservers = r.Nameservers,
            Limits = r.Limits,
            Usage = new ResourceUsage
            {
                MemoryBytes = stats?.MemoryUsageBytes,
                SwapBytes = stats?.SwapUsageBytes,
                Processes = stats?.PidsCurrent is { } p ? (int)p : null,
                CpuSeconds = stats?.CpuUsageNanoseconds / 1e9,
                DiskBytes = disk?.UsedBytes,
                DiskInodes = disk?.UsedInodes,
                IoReadBytes = ioStats?.ReadBytes,
                IoWriteBytes = ioStats?.WriteBytes,
                IoReadOps = ioStats?.ReadOps,
                IoWriteOps = ioStats?.WriteOps,
            },
            OnBoot = r.OnBoot,
            Privileged = r.Privileged,
            HostRootUid = RootUid(r) ?? 0,
            CreatedAt = r.CreatedAt,
            Events = detailed ? store.GetLimitEvents(r.Name) : [],
            LxcPath = lxc.LxcPath,
            Plan = r.PlanName,
        };
        if (!detailed)
        {
            return info;
        }

        var plan = Effective(r);
        return info with
        {
            Mode = plan.Mode == MemoryMode.Ubc ? "ubc" : "slm",
            Kind = plan.Kind == PlanKind.Guaranteed ? "guaranteed" : "best-effort",
            Guarantees = new ResourceGuarantees { MemoryBytes = plan.Guarantees.MemoryBytes, Cpus = plan.Guarantees.Cpus, DiskBytes = plan.Guarantees.DiskBytes },
            Beancounters = plan.EffectiveBeancounters().ToVzctl(),
        };
    }

    public NodeInfo Node()
    {
        var mem = ProcMeminfo.Read();
        var fs = Statvfs.Get(paths.Private);
        var all = store.ListContainers();
        var infos = all.Select(r => ToInfo(r, detailed: false)).ToList();
        var cpus = Environment.ProcessorCount;
        var node = plans.Node();
        var commitments = all.Select(r => Effective(r).ToCommitment(r.Name)).ToList();
        // JSON has no infinity: an unchecked ratio goes out as null.
        static double? Ratio(double r) => double.IsInfinity(r) ? null : r;
        return new NodeInfo
        {
            NodeName = options.NodeName,
            Version = typeof(ContainerService).Assembly.GetName().Version?.ToString(3) ?? "0.1.0",
            CgroupVersion = cgroups.Version,
            Capacity = new NodeResources { MemoryBytes = mem.MemTotalBytes, SwapBytes = mem.SwapTotalBytes, Cpus = cpus, DiskBytes = fs.TotalBytes },
            Committed = new NodeResources
            {
                MemoryBytes = all.Sum(r => r.Limits.MemoryBytes ?? mem.MemTotalBytes),
                SwapBytes = all.Sum(r => r.Limits.SwapBytes ?? 0),
                Cpus = all.Sum(r => r.Limits.CpuLimitPercent / 100.0 ?? r.Limits.Cpus ?? cpus),
                DiskBytes = all.Sum(r => r.Limits.DiskBytes ?? 0),
            },
            Used = new NodeResources
            {
                MemoryBytes = infos.Sum(i => i.Usage?.MemoryBytes ?? 0),
                SwapBytes = infos.Sum(i => i.Usage?.SwapBytes ?? 0),
                Cpus = 0,
                DiskBytes = infos.Sum(i => i.Usage?.DiskBytes ?? 0),
            },
            Containers = all.Count,
            RunningContainers = infos.Count(i => i.State == "running"),
            Bridge = options.Bridge,
            Subnet = options.Subnet,
            DataDir = paths.DataDir,
            Nat = options.Nat,
            Lxcfs = options.Lxcfs && File.Exists("/var/lib/lxcfs/proc/meminfo"),
            Confinement = _appArmor.Describe(),
            Reserve = new NodeResources { MemoryBytes = node.HostReserve.MemoryBytes, Cpus = node.HostReserve.Cpus, DiskBytes = node.HostReserve.DiskBytes },
            CommittedGuarantees = new NodeResources
            {
                MemoryBytes = commitments.Sum(c => c.Guarantees.MemoryBytes),
                Cpus = commitments.Sum(c => c.Guarantees.Cpus),
                DiskBytes = commitments.Sum(c => c.Guarantees.DiskBytes),
            },
            OvercommitRatios = new OvercommitInfo { Memory = Ratio(node.Ratios.Memory), Cpu = Ratio(node.Ratios.Cpu), Disk = Ratio(node.Ratios.Disk) },
            Evacuated = Evacuated,
            AllowPrivileged = options.AllowPrivileged,
            AllowUnlimitedDisk = options.AllowUnlimitedDisk,
        };
    }

    /// <summary>The container's stored record; NotFound when it does not exist.</summary>
    public ContainerRecord Record(string name) => Require(name);
}
