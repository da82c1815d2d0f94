using System.Globalization;
using Hako.Core.Resources;
using Hako.Linux.Cgroups;

namespace Hako.Linux.Beancounters;

/// <summary>
/// Measures held values of running containers from cgroupfs and procfs only: no process is spawned and no
/// namespace entered, so hakod can sweep hundreds of containers every few seconds. Per container it reads the
/// cgroup's memory and pids files, /proc/PID/statm and one statx of /proc/PID/fd per process, the init's status,
/// sockstat and /dev/pts; /proc/locks is read once per sweep. Which counters are measured, and how, is in
/// <see cref="BeancounterKernelMap"/> and docs/ubc.md.
/// </summary>
public sealed class BeancounterProbe
{
    private readonly ICgroupDriver _cgroups;
    private readonly string _procRoot;
    private readonly bool _procIsKernel;
    private readonly bool _readDatagramQueues;

    /// <param name="procRoot">/proc, or a fixture tree for tests.</param>
    /// <param name="readDatagramQueues">
    /// Measure dgramrcvbuf from /proc/PID/net/{udp,udp6,raw,raw6}. Off by default: each read walks the host-wide
    /// UDP hash table (about 0.25 ms per container here), a quarter of the sweep budget for 200 containers.
    /// </param>
    public BeancounterProbe(ICgroupDriver cgroups, string procRoot = "/proc", bool readDatagramQueues = false)
    {
        _cgroups = cgroups;
        _procRoot = procRoot;
        // On the real procfs, st_size of /proc/PID/fd is the number of open fds (6.2+); a fixture directory's is not.
        _procIsKernel = Path.GetFullPath(procRoot) == "/proc" && Interop.Interop.StatSize("/proc/self/fd") is > 0;
        _readDatagramQueues = readDatagramQueues;
    }

    /// <summary>Measures one container; reads /proc/locks itself (use <see cref="MeasureAll"/> for a sweep).</summary>
    public BeancounterSample Measure(string group, int initPid) => Measure(group, initPid, ProcText.LocksByPid(Read("locks")));

    /// <summary>A sweep: every container, with /proc/locks read once for all of them.</summary>
    public IReadOnlyList<BeancounterSample> MeasureAll(IEnumerable<(string Group, int InitPid)> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var locks = ProcText.LocksByPid(Read("locks"));
        return [.. containers.Select(c => Measure(c.Group, c.InitPid, locks))];
    }

    private BeancounterSample Measure(string group, int initPid, Dictionary<int, int> locks)
    {
        var r = new BeancounterReading[UbcParameters.All.Count];
        var stats = _cgroups.ReadStats(group);
        var stat = stats.MemoryStat;

        r[(int)UbcResource.NumProc] = new(stats.PidsCurrent, null, stats.PidsMaxEvents);
        r[(int)UbcResource.PhysPages] = new(Pages(stats.MemoryUsageBytes), Pages(stats.MemoryMaxUsageBytes), stats.MemoryFailCount);
        r[(int)UbcResource.SwapPages] = new(Pages(stats.SwapUsageBytes), Pages(stats.SwapMaxUsageBytes), stats.SwapFailCount);
        // OpenVZ's oomguarpages held: resident plus swapped-out memory.
        r[(int)UbcResource.OomGuarPages] = new(Pages(stats.MemoryUsageBytes + (stats.SwapUsageBytes ?? 0)));
        // kmem.failcnt and kmem.tcp.failcnt exist on 6.18 v1 but stay 0 (the kmem limit is ignored; the TCP limit is
        // enforced without counting), so hakod counts failcnt for these two.
        r[(int)UbcResource.KmemSize] = new(stats.KmemUsageBytes, stats.KmemMaxUsageBytes);
        r[(int)UbcResource.TcpSndBuf] = new(stats.TcpBufferUsageBytes, stats.TcpBufferMaxUsageBytes);
        // v1 "total_*" include child cgroups (a container's own sub-groups); v2 memory.stat is hierarchical already.
        r[(int)UbcResource.ShmPages] = new(Pages(Stat(stat, "shmem")));
        // mlock()ed and SHM_LOCKed pages sit on the unevictable LRU (so do ramfs pages, rare in containers).
        r[(int)UbcResource.LockedPages] = new(Pages(Stat(stat, "unevictable")));
        if (_cgroups.Version == "v2")
        {
            r[(int)UbcResource.DcacheSize] = new(Stat(stat, "slab_reclaimable"));
        }

        MeasureProcesses(group, r, locks);
        MeasureInit(initPid, r);
        return new BeancounterSample(group, initPid, r);
    }

    private void MeasureProcesses(string group, BeancounterReading[] r, Dictionary<int, int> locks)
    {
        // The whole subtree: on cgroup v2 (Debian 12, systemd) LXC puts what lxc-attach starts, i.e.
        // every `hako exec`, in <group>/.lxc, and a guest may make groups of its own on either version.
        var pids = _cgroups.ProcessesRecursive(group);
        if (pids.Count == 0)
        {
            return;
        }

        long privvm = 0, files = 0, flocks = 0;
        foreach (var pid in pids)
        {
            var dir = Path.Combine(_procRoot, pid.ToString(CultureInfo.InvariantCulture));
            // A process that exits meanwhile just counts nothing.
            privvm += ProcText.StatmData(ReadPath(Path.Combine(dir, "statm"))) ?? 0;
            files += CountFds(Path.Combine(dir, "fd"));
            flocks += locks.GetValueOrDefault(pid);
        }

        r[(int)UbcResource.PrivVmPages] = new(privvm);
        r[(int)UbcResource.NumFile] = new(files);
        r[(int)UbcResource.NumFlock] = new(flocks);
    }

    private void MeasureInit(int initPid, BeancounterReading[] r)
    {
        var dir = Path.Combine(_procRoot, initPid.ToString(CultureInfo.InvariantCulture));
        var (used, tcp) = ProcText.Sockstat(ReadPath(Path.Combine(dir, "net", "sockstat")), ReadPath(Path.Combine(dir, "net", "sockstat6")));
        r[(int)UbcResource.NumTcpSock] = new(tcp);
        // Every socket of the netns that is not a hashed TCP one: UDP, unix, raw, netlink, packet, unbound TCP.
        r[(int)UbcResource.NumOtherSock] = new(used is { } u && tcp is { } t ? Math.Max(u - t, 0) : null);
        // Signals queued for init's user (root of the container), not for all its users: the kernel counts per user.
        r[(int)UbcResource.NumSigInfo] = new(ProcText.SigQueued(ReadPath(Path.Combine(dir, "status"))));
        r[(int)UbcResource.NumPty] = new(CountPtys(Path.Combine(dir, "root", "dev", "pts")));
        if (_readDatagramQueues)
        {
            var queues = new[] { "udp", "udp6", "raw", "raw6" }.Select(f => ReadPath(Path.Combine(dir, "net", f))).ToList();
            r[(int)UbcResource.DgramRcvBuf] = new(queues.All(q => q is null) ? null : queues.Sum(ProcText.ReceiveQueues));
        }
    }

    private long CountFds(string fdDir)
    {
        if (_procIsKernel)
        {
            return Interop.Interop.StatSize(fdDir) ?? 0;
        }

        try
        {
            return Directory.EnumerateFileSystemEntries(fdDir).LongCount();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Allocated ptys of the container's devpts instance: its numbered entries (ptmx is not one).</summary>
    private static long? CountPtys(string ptsDir)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(ptsDir).Count(e => Path.GetFileName(e).All(char.IsAsciiDigit));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>v1 "total_KEY" (hierarchical) when present, else "KEY".</summary>
    private static long? Stat(IReadOnlyDictionary<string, long>? stat, string key) =>
        CgroupFs.Value(stat, "total_" + key) ?? CgroupFs.Value(stat, key);

    private static long? Pages(long? bytes) =>
        bytes is { } b ? (b + UbcParameters.PageSize - 1) / UbcParameters.PageSize : null;

    private string? Read(string relative) => ReadPath(Path.Combine(_procRoot, relative));

    private static string? ReadPath(string path) => Files.KernelText.TryRead(path);
}
