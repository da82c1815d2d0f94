using System.Globalization;
using Hako.Core.Resources;

namespace Hako.Linux.Beancounters;

/// <summary>How far a stock kernel holds a beancounter to its limit (docs/ubc.md has the evidence for each).</summary>
public enum UbcEnforcement
{
    /// <summary>The kernel refuses or reclaims past the limit, for the whole container (pids.max, memory limits, devpts max=).</summary>
    Enforced,

    /// <summary>An rlimit: each process (or each user, for signals) is held to it, not the container as a whole.</summary>
    EnforcedPerProcess,

    /// <summary>A guarantee the kernel protects from reclaim (v2 memory.low).</summary>
    Protected,

    /// <summary>Written to the kernel, but only as a reclaim preference under host memory pressure (v1 soft limit).</summary>
    Hint,

    /// <summary>Held is measured; hakod's sweep compares it with the limit and counts failcnt when held ≥ limit.</summary>
    Accounted,

    /// <summary>The kernel gives no honest, cheap number for it; held is not reported.</summary>
    Unavailable,
}

/// <param name="How">The kernel mechanism, in a line: <c>pids.max (lxc.cgroup.pids.max)</c>.</param>
/// <param name="Barrier">What the barrier does, as opposed to the limit.</param>
public sealed record BeancounterEnforcement(UbcResource Resource, UbcEnforcement Status, string How, string Barrier);

/// <summary>
/// Beancounters onto the kernel this code runs on: the status of each parameter per cgroup version, the LXC
/// config lines for the parameters the SLM face (ResourceLimits: numproc, physpages, swappages) does not cover,
/// and the cgroup files to change live. Checked by experiment on kernel 6.18 with cgroup v1 (docs/ubc.md).
/// </summary>
public static class BeancounterKernelMap
{
    private const string NotDistinguished = "not distinguished from the limit";

    private static readonly Dictionary<UbcResource, (BeancounterEnforcement V1, BeancounterEnforcement V2)> Table = Build();

    /// <summary>The status of <paramref name="resource"/> under <paramref name="cgroupVersion"/> ("v1", "v2"; anything else: no cgroups).</summary>
    public static BeancounterEnforcement For(UbcResource resource, string cgroupVersion)
    {
        var (v1, v2) = Table[resource];
        return cgroupVersion switch
        {
            "v1" => v1,
            "v2" => v2,
            _ => v1.Status is UbcEnforcement.EnforcedPerProcess || resource == UbcResource.NumPty
                ? v1 // rlimits and devpts do not need cgroups
                : new BeancounterEnforcement(resource, UbcEnforcement.Unavailable, "no usable cgroups on this host", "-"),
        };
    }

    /// <summary>
    /// LXC config lines for the beancounters that ResourceLimits' lines do not already set (those are numproc,
    /// physpages and swappages). Unlimited values write no line, except v1's TCP buffer limit, which is always
    /// written ("-1" when unlimited) because the kernel counts TCP buffer memory of a v1 cgroup only once that file
    /// has been written. rlimits are per process (RLIMIT_SIGPENDING per user) and never "unlimited": a hard limit
    /// above hakod's own needs CAP_SYS_RESOURCE, and without it LXC refuses to start the container.
    /// </summary>
    public static IReadOnlyList<string> LxcConfigLines(BeancounterSet set, string cgroupVersion)
    {
        ArgumentNullException.ThrowIfNull(set);
        var lines = new List<string>();
        var prefix = cgroupVersion == "v2" ? "lxc.cgroup2." : "lxc.cgroup.";
        foreach (var (file, value) in CgroupValues(set, cgroupVersion))
        {
            if (value is not null || file == TcpLimitFile)
            {
                lines.Add($"{prefix}{file} = {value ?? "-1"}");
            }
        }

        AddPrlimit(lines, "nofile", set[UbcResource.NumFile], 1);
        AddPrlimit(lines, "memlock", set[UbcResource.LockedPages], UbcParameters.PageSize);
        AddPrlimit(lines, "sigpending", set[UbcResource.NumSigInfo], 1);
        if (set[UbcResource.NumPty].Limit is var pty and not UbcLimit.Unlimited)
        {
            // devpts is mounted with max=N; LXC's console takes one of them (/dev/pts/0), and numpty's held counts it.
            lines.Add($"lxc.pty.max = {Text(pty)}");
        }

        return lines;
    }

    internal const string TcpLimitFile = "memory.kmem.tcp.limit_in_bytes";

    /// <summary>
    /// The cgroup files (relative to the container's group, in the memory controller on v1) that carry beancounters,
    /// with their values; null means "the kernel's default" (unlimited / no guarantee). Used for LXC lines and for
    /// live changes alike.
    /// </summary>
    internal static IReadOnlyList<(string File, string? Value)> CgroupValues(BeancounterSet set, string cgroupVersion)
    {
        var guarantee = Guarantee(set);
        if (cgroupVersion == "v1")
        {
            var tcp = set[UbcResource.TcpSndBuf].Limit;
            return
            [
                // Enforced on 6.18 (sending stalls at the limit), one counter for send and receive buffers.
                (TcpLimitFile, tcp == UbcLimit.Unlimited ? null : Text(tcp)),
                // Groups over their soft limit are reclaimed first, so a guarantee of 0 is written as 0: leaving it
                // unlimited would shield an unguaranteed container ahead of guaranteed ones.
                ("memory.soft_limit_in_bytes", guarantee is { } g ? Text(g) : null),
            ];
        }

        if (cgroupVersion == "v2")
        {
            return [("memory.low", guarantee is { } g and > 0 ? Text(g) : null)];
        }

        return [];
    }

    /// <summary>The memory guarantee in bytes: the larger of the vmguarpages and oomguarpages barriers; null when both are unlimited.</summary>
    internal static long? Guarantee(BeancounterSet set)
    {
        var pages = new[] { set[UbcResource.VmGuarPages].Barrier, set[UbcResource.OomGuarPages].Barrier }
            .Where(b => b != UbcLimit.Unlimited).DefaultIfEmpty(UbcLimit.Unlimited).Max();
        return pages == UbcLimit.Unlimited ? null : Bytes(pages);
    }

    private static void AddPrlimit(List<string> lines, string name, UbcLimit value, long unitBytes)
    {
        if (value.Limit == UbcLimit.Unlimited)
        {
            return;
        }

        // soft:hard = barrier:limit; a soft limit above the hard one is refused by setrlimit(2).
        var hard = Multiply(value.Limit, unitBytes);
        var soft = Math.Min(Multiply(value.Barrier, unitBytes), hard);
        lines.Add(soft == hard ? $"lxc.prlimit.{name} = {Text(hard)}" : $"lxc.prlimit.{name} = {Text(soft)}:{Text(hard)}");
    }

    private static long Bytes(long pages) => Multiply(pages, UbcParameters.PageSize);

    private static long Multiply(long value, long unit) =>
        value == UbcLimit.Unlimited || value > long.MaxValue / unit ? UbcLimit.Unlimited : value * unit;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<UbcResource, (BeancounterEnforcement, BeancounterEnforcement)> Build()
    {
        var t = new Dictionary<UbcResource, (BeancounterEnforcement, BeancounterEnforcement)>();
        void Row(UbcResource r, UbcEnforcement s1, string how1, UbcEnforcement s2, string how2, string barrier) =>
            t[r] = (new(r, s1, how1, barrier), new(r, s2, how2, barrier));

        const UbcEnforcement E = UbcEnforcement.Enforced, P = UbcEnforcement.EnforcedPerProcess,
            A = UbcEnforcement.Accounted, U = UbcEnforcement.Unavailable;
        Row(UbcResource.NumProc, E, "pids.max; fork fails with EAGAIN, pids.events 'max' counts it", E, "pids.max, pids.events 'max'", NotDistinguished);
        Row(UbcResource.NumTcpSock, A, "TCP + TCP6 'inuse' of the container's netns (/proc/PID/net/sockstat{,6})", A, "same", NotDistinguished);
        Row(UbcResource.NumOtherSock, A, "netns 'sockets: used' minus TCP inuse (UDP, unix, raw, netlink, packet...)", A, "same", NotDistinguished);
        Row(UbcResource.VmGuarPages, UbcEnforcement.Hint, "memory.soft_limit_in_bytes = barrier: reclaimed last under host pressure; held not kept (OpenVZ showed 0 too)",
            UbcEnforcement.Protected, "memory.low = barrier; held not kept", "the guarantee; the limit is not used");
        Row(UbcResource.KmemSize, A, "memory.kmem.usage_in_bytes; memory.kmem.limit_in_bytes accepts writes and ignores them on 6.x", A, "memory.stat 'kernel'; charged to memory.max", NotDistinguished);
        Row(UbcResource.TcpSndBuf, E, "memory.kmem.tcp.limit_in_bytes = limit, one counter for send + receive buffers; kernel failcnt stays 0",
            A, "memory.stat 'sock'; charged to memory.max", NotDistinguished);
        Row(UbcResource.TcpRcvBuf, U, "no separate counter: receive buffers are in tcpsndbuf's", U, "no separate counter: both are in memory.stat 'sock', shown as tcpsndbuf", NotDistinguished);
        Row(UbcResource.OtherSockBuf, U, "unix socket buffers are invisible without sock_diag; UDP send queues are transient", U, "same", NotDistinguished);
        Row(UbcResource.DgramRcvBuf, U, "Σ rx_queue of /proc/PID/net/{udp,udp6,raw,raw6} when enabled (walks the global hash: ~0.25 ms per container)", U, "same", NotDistinguished);
        Row(UbcResource.OomGuarPages, UbcEnforcement.Hint, "soft limit (with vmguarpages); held = memory + swap usage", UbcEnforcement.Protected, "memory.low (with vmguarpages); held = memory + swap usage", "the guarantee; the limit is not used");
        Row(UbcResource.PrivVmPages, A, "Σ 'data' of /proc/PID/statm (VmData + VmStk: private writable mappings)", A, "same", NotDistinguished);
        Row(UbcResource.LockedPages, P, "RLIMIT_MEMLOCK (lxc.prlimit.memlock); held = memory.stat 'unevictable'", P, "same", "the soft rlimit (a process may raise it to the limit)");
        Row(UbcResource.ShmPages, A, "memory.stat 'shmem' (tmpfs, shm, shared anonymous)", A, "memory.stat 'shmem'", NotDistinguished);
        Row(UbcResource.PhysPages, E, "memory.limit_in_bytes; reclaim then OOM kill inside; memory.failcnt", E, "memory.max; memory.events 'max'", "0 in VSwap: not used");
        Row(UbcResource.SwapPages, E, "memory.memsw.limit_in_bytes − memory; memsw.failcnt", E, "memory.swap.max; memory.swap.events 'max'", "0 in VSwap: not used");
        Row(UbcResource.NumFile, P, "RLIMIT_NOFILE (lxc.prlimit.nofile); held = Σ open fds", P, "same", "the soft rlimit (a process may raise it to the limit)");
        Row(UbcResource.NumFlock, A, "lines of /proc/locks held by the container's processes (OFD locks have no pid: not counted)", A, "same", NotDistinguished);
        Row(UbcResource.NumPty, E, "lxc.pty.max: devpts max=N, ENOSPC past it (the console is one); held = /dev/pts entries", E, "same", NotDistinguished);
        Row(UbcResource.NumSigInfo, P, "RLIMIT_SIGPENDING, counted per user (lxc.prlimit.sigpending); held = SigQ of init's user", P, "same", "the soft rlimit");
        Row(UbcResource.DcacheSize, U, "v1 memory.stat has no slab lines and memory.kmem.slabinfo is empty on 6.18; dentries are in kmemsize", A, "memory.stat 'slab_reclaimable'", NotDistinguished);
        Row(UbcResource.NumIptEnt, U, "rules are only readable through getsockopt/netlink inside the netns", U, "same", NotDistinguished);
        return t;
    }
}
