using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Core.Network;
using Hako.Daemon.Options;
using Hako.Linux.Cgroups;
using Hako.Runtime;
using Hako.Runtime.Lxc;
using Hako.Runtime.Storage;
using Hako.Runtime.Templates;
using Hako.State;

namespace Hako.Daemon.Containers;

/// <summary>
/// Containers on this node: the database holds what the operator asked for, LXC, cgroups and the
/// private areas are made to match it. Split by concern: create, lifecycle, update, query, files.
/// </summary>
public sealed partial class ContainerService(
    HakodOptions options,
    NodePaths paths,
    IStateStore store,
    LxcDriver lxc,
    ICgroupDriver cgroups,
    Linux.Cgroups.Io.IIoController io,
    PrivateArea storage,
    TemplateStore templates,
    Resources.PlanCatalog plans,
    Capacity.CapacityService capacity,
    ContainerLocks locks,
    Events.EventLog events,
    Network.PortFilterService filter,
    Migration.IncomingLeases leases,
    TimeProvider time,
    ILogger<ContainerService> log)
{
    private readonly Ipv4Subnet _subnet = Ipv4Subnet.Parse(options.Subnet);

    /// <summary>Probed once: the LSM does not come or go while hakod runs.</summary>
    private readonly Linux.Security.AppArmorState _appArmor = Linux.Security.AppArmorState.Probe();

    /// <summary>Serialises name and address allocation so two creates can't pick the same IP.</summary>
    private readonly Lock _allocation = new();

    public ContainerLocks Locks => locks;

    public string CgroupGroup(string name) => $"{options.CgroupParent}/{name}";

    private ContainerRecord Require(string name) =>
        store.GetContainer(name) is { Status: RecordStatus.Ready } r
            ? r
            : throw HakoException.NotFound($"Container {name} does not exist; see hako list");

    /// <summary>LXC refuses to reuse the container's or its monitor's cgroup left over from the last run.</summary>
    private void RemoveStaleCgroups(string name)
    {
        cgroups.RemoveIfEmpty(CgroupGroup(name));
        cgroups.RemoveIfEmpty(LxcDriver.MonitorCgroupDir(CgroupGroup(name)));
    }

    /// <summary>The host uid of the container's root; null for a privileged container (host root).</summary>
    internal int? RootUid(ContainerRecord r) => r.Privileged ? null : options.UidBase;

    /// <summary>The cheap running check: is anything in the container's cgroup (no process spawned).</summary>
    internal bool IsRunning(string name) => cgroups.IsPopulated(CgroupGroup(name));

    /// <summary>A cpuset of <paramref name="count"/> CPUs, rotated by name so containers spread over the cores.</summary>
    private static string? CpusetFor(string name, ResourceLimits limits)
    {
        if (limits.CpuMask is { } mask)
        {
            return mask;
        }

        var count = limits.Cpus;
        var total = Environment.ProcessorCount;
        if (count is not { } n || n >= total)
        {
            return null;
        }

        // FNV-1a: stable across hakod restarts, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        var start = (int)(hash % (uint)total);
        return string.Join(',', Enumerable.Range(0, n).Select(i => (start + i) % total));
    }

    private LxcContainerSpec SpecFor(ContainerRecord r, Template t) => new()
    {
        Name = r.Name,
        Hostname = r.Hostname,
        Rootfs = paths.RootfsMount(r.Name),
        RootUid = RootUid(r),
        CgroupDir = CgroupGroup(r.Name),
        Bridge = options.Bridge,
        Ipv4Cidr = r.Ip is null ? null : $"{r.Ip}/{_subnet.PrefixLength}",
        Gateway = _subnet.Gateway.ToString(),
        MacAddress = r.Ip is null ? null : LxcDriver.MacFor(r.Ip),
        HaltSignal = t.HaltSignal,
        Init = t.Init,
        Lxcfs = options.Lxcfs && File.Exists("/var/lib/lxcfs/proc/meminfo"),
        AppArmor = _appArmor.Enabled,
        CgroupLines =
        [
            .. cgroups.LxcConfigLines(r.Limits, CpusetFor(r.Name, r.Limits)),
            .. Linux.Procfs.ProcLimits.ClampPrlimitLines(
                Linux.Beancounters.BeancounterKernelMap.LxcConfigLines(Effective(r).EffectiveBeancounters(), cgroups.Version)),
            .. io.LxcConfigLines(r.Limits, IoDevice(r.Name)),
        ],
    };

    /// <summary>The device that carries the container's I/O: its private area's loop device ("7:N"), if it has one.</summary>
    internal string? IoDevice(string name) => Linux.Cgroups.Io.BlockDevices.LoopDeviceOf(paths.PrivateImage(name));

    private Template RequireTemplate(string name) =>
        templates.Get(name) ?? throw HakoException.NotFound($"Template {name} does not exist; see hako template list");

    /// <summary>Writes the LXC config from the record: used by create, set and reconcile.</summary>
    internal void WriteConfig(ContainerRecord r) => lxc.WriteConfig(SpecFor(r, RequireTemplate(r.Template)));

    /// <summary>The template's rootfs for this container: the shared shifted copy, or the privileged (unshifted) one.</summary>
    private async Task<string> LowerDirAsync(ContainerRecord r, CancellationToken ct) =>
        r.Privileged ? await templates.EnsurePrivilegedRootfsAsync(r.Template, ct) : RequireTemplate(r.Template).RootfsPath;
}
