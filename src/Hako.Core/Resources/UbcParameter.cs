namespace Hako.Core.Resources;

/// <summary>The beancounter parameters of DESIGN.md §3, in that table's order.</summary>
public enum UbcResource
{
    NumProc,
    NumTcpSock,
    NumOtherSock,
    VmGuarPages,
    KmemSize,
    TcpSndBuf,
    TcpRcvBuf,
    OtherSockBuf,
    DgramRcvBuf,
    OomGuarPages,
    PrivVmPages,
    LockedPages,
    ShmPages,
    PhysPages,
    SwapPages,
    NumFile,
    NumFlock,
    NumPty,
    NumSigInfo,
    DcacheSize,
    NumIptEnt,
}

/// <summary>What one unit of a parameter counts: <c>num*</c> items, <c>*size</c>/<c>*buf</c> bytes, <c>*pages</c> 4 KiB pages.</summary>
public enum UbcUnit
{
    Items,
    Bytes,
    Pages,
}

/// <summary>OpenVZ's grouping: primary (always needed), secondary (depend on primary), auxiliary.</summary>
public enum UbcGroup
{
    Primary,
    Secondary,
    Auxiliary,
}

/// <param name="Name">The vzctl name, lower case: <c>kmemsize</c>.</param>
/// <param name="Counterpart">The stock-kernel mechanism closest to it (DESIGN.md §3), for docs and for the drivers.</param>
public sealed record UbcParameter(UbcResource Resource, string Name, UbcUnit Unit, UbcGroup Group, string Meaning, string Counterpart)
{
    /// <summary>The <c>num*</c> counters, whose barrier must equal their limit (vzctl's CHECK_B; numflock is the exception).</summary>
    public bool RequiresBarrierEqualsLimit => Resource is UbcResource.NumProc or UbcResource.NumTcpSock
        or UbcResource.NumOtherSock or UbcResource.NumFile or UbcResource.NumPty or UbcResource.NumSigInfo
        or UbcResource.NumIptEnt;

    public override string ToString() => Name;
}

public static class UbcParameters
{
    /// <summary>Bytes per page in every <c>*pages</c> parameter (x86-64 page size, as vzctl assumes).</summary>
    public const long PageSize = 4096;

    /// <summary>Every parameter, in DESIGN.md §3 order (indexable by <see cref="UbcResource"/>).</summary>
    public static IReadOnlyList<UbcParameter> All { get; } =
    [
        new(UbcResource.NumProc, "numproc", UbcUnit.Items, UbcGroup.Primary, "processes and threads", "pids.max"),
        new(UbcResource.NumTcpSock, "numtcpsock", UbcUnit.Items, UbcGroup.Primary, "TCP sockets", "none: counted from the netns"),
        new(UbcResource.NumOtherSock, "numothersock", UbcUnit.Items, UbcGroup.Primary, "other sockets", "none: counted from the netns"),
        new(UbcResource.VmGuarPages, "vmguarpages", UbcUnit.Pages, UbcGroup.Primary, "allocation guarantee", "memory.soft_limit_in_bytes / memory.low"),
        new(UbcResource.KmemSize, "kmemsize", UbcUnit.Bytes, UbcGroup.Secondary, "unswappable kernel memory", "memory.kmem.* (v1) / memory.stat kernel (v2)"),
        new(UbcResource.TcpSndBuf, "tcpsndbuf", UbcUnit.Bytes, UbcGroup.Secondary, "TCP send buffers", "memory.kmem.tcp.* (v1) / memory.stat sock (v2)"),
        new(UbcResource.TcpRcvBuf, "tcprcvbuf", UbcUnit.Bytes, UbcGroup.Secondary, "TCP receive buffers", "memory.kmem.tcp.* (v1) / memory.stat sock (v2)"),
        new(UbcResource.OtherSockBuf, "othersockbuf", UbcUnit.Bytes, UbcGroup.Secondary, "other socket send buffers", "none: accounted"),
        new(UbcResource.DgramRcvBuf, "dgramrcvbuf", UbcUnit.Bytes, UbcGroup.Secondary, "datagram receive buffers", "none: accounted"),
        new(UbcResource.OomGuarPages, "oomguarpages", UbcUnit.Pages, UbcGroup.Secondary, "OOM guarantee", "memory.low / oom_score_adj"),
        new(UbcResource.PrivVmPages, "privvmpages", UbcUnit.Pages, UbcGroup.Secondary, "allocated private memory", "none: accounted from /proc/PID/status"),
        new(UbcResource.LockedPages, "lockedpages", UbcUnit.Pages, UbcGroup.Auxiliary, "mlock()ed memory", "RLIMIT_MEMLOCK (lxc.prlimit)"),
        new(UbcResource.ShmPages, "shmpages", UbcUnit.Pages, UbcGroup.Auxiliary, "shared memory and tmpfs", "memory.stat shmem"),
        new(UbcResource.PhysPages, "physpages", UbcUnit.Pages, UbcGroup.Auxiliary, "resident memory (VSwap: primary)", "memory.limit_in_bytes / memory.max"),
        new(UbcResource.SwapPages, "swappages", UbcUnit.Pages, UbcGroup.Auxiliary, "swap (VSwap: primary)", "memsw - mem / memory.swap.max"),
        new(UbcResource.NumFile, "numfile", UbcUnit.Items, UbcGroup.Auxiliary, "open files", "RLIMIT_NOFILE per process; total accounted"),
        new(UbcResource.NumFlock, "numflock", UbcUnit.Items, UbcGroup.Auxiliary, "file locks", "none: counted from /proc/locks"),
        new(UbcResource.NumPty, "numpty", UbcUnit.Items, UbcGroup.Auxiliary, "pseudo-terminals", "lxc.pty.max"),
        new(UbcResource.NumSigInfo, "numsiginfo", UbcUnit.Items, UbcGroup.Auxiliary, "queued signals", "RLIMIT_SIGPENDING"),
        new(UbcResource.DcacheSize, "dcachesize", UbcUnit.Bytes, UbcGroup.Auxiliary, "dentry and inode cache", "memory.stat slab"),
        new(UbcResource.NumIptEnt, "numiptent", UbcUnit.Items, UbcGroup.Auxiliary, "netfilter rules", "none: counted in the netns"),
    ];

    /// <summary>
    /// Row order of the kernel's /proc/user_beancounters (the UB_* indices of include/uapi/linux/beancounter.h,
    /// without its "dummy" slots; swappages, added with VSwap, comes last).
    /// </summary>
    public static IReadOnlyList<UbcResource> KernelOrder { get; } =
    [
        UbcResource.KmemSize, UbcResource.LockedPages, UbcResource.PrivVmPages, UbcResource.ShmPages,
        UbcResource.NumProc, UbcResource.PhysPages, UbcResource.VmGuarPages, UbcResource.OomGuarPages,
        UbcResource.NumTcpSock, UbcResource.NumFlock, UbcResource.NumPty, UbcResource.NumSigInfo,
        UbcResource.TcpSndBuf, UbcResource.TcpRcvBuf, UbcResource.OtherSockBuf, UbcResource.DgramRcvBuf,
        UbcResource.NumOtherSock, UbcResource.DcacheSize, UbcResource.NumFile, UbcResource.NumIptEnt,
        UbcResource.SwapPages,
    ];

    public static UbcParameter Get(UbcResource resource) => All[(int)resource];

    /// <summary>Looks a parameter up by its vzctl name, case-insensitively (<c>KMEMSIZE</c> as in a ve-*.conf file works too).</summary>
    public static bool TryFind(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UbcParameter? parameter)
    {
        parameter = All.FirstOrDefault(p => string.Equals(p.Name, name?.Trim().TrimStart('-'), StringComparison.OrdinalIgnoreCase));
        return parameter is not null;
    }
}
