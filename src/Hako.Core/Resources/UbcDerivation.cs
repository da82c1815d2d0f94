using Hako.Contracts;

namespace Hako.Core.Resources;

/// <summary>
/// SLM → UBC: the whole beancounter set from the SLM face (memory, swap, processes), VSwap-style, built so that
/// <see cref="UbcValidator"/> finds nothing. Choices, per parameter:
/// <list type="bullet">
/// <item>physpages = 0:memory, swappages = 0:swap (VSwap: barrier 0, the limit is the size; ve-vswap-*.conf-samples).</item>
/// <item>numproc = processes.</item>
/// <item>vmguarpages, oomguarpages = guarantee:unlimited (0 when the plan guarantees no memory), as vzsplit writes them.</item>
/// <item>privvmpages = unlimited: with VSwap, memory + swap is the real bound; a privvmpages cap breaks programs that
/// reserve address space they never touch (JVMs, Go), and no stock-kernel knob enforces it.</item>
/// <item>shmpages = memory + swap: shm and tmpfs pages cannot outgrow them anyway.</item>
/// <item>lockedpages = min(memory / 4, 64M): mlock() pins RAM, so a quarter of it at most.</item>
/// <item>numtcpsock = numothersock = max(80, 2 × processes) (80 is ve-vps.basic's; vzsplit uses 1 × numproc, which
/// is low for servers with keep-alive connections).</item>
/// <item>numpty = processes / 10 within 16..512, numsiginfo = 1024, numiptent = 200 (vzsplit's per-VE values).</item>
/// <item>numfile = max(2048, 2 × vzcfgvalidate's minimum), numflock = min(1000, numfile / 10) : ×1.1 (vzsplit).</item>
/// <item>dcachesize = 1.5 × 384 × numfile as limit, barrier limit / 1.03 (vzsplit's most generous level).</item>
/// <item>kmemsize barrier = max(40K × avnumproc + dcachesize.limit, memory / 8), limit = barrier × 1.1 (vzsplit's delta).</item>
/// <item>tcpsndbuf, tcprcvbuf barrier = max(256K, 2.5K × numtcpsock), limit = barrier + 2.5K × numtcpsock;
/// othersockbuf likewise with numothersock and a 128K floor; dgramrcvbuf = 256K.</item>
/// </list>
/// Unlimited inputs give unlimited outputs: without a process count every per-process counter (sockets, files,
/// buffers, kmemsize, dcachesize) is unlimited, exactly the ve-vswap-*.conf-samples; without a memory size the
/// memory-derived ones are.
/// </summary>
public static class UbcDerivation
{
    private const long Kib = 1024;
    private const long Mib = 1024 * Kib;
    private const long Unlimited = UbcLimit.Unlimited;

    /// <param name="memoryBytes">RAM limit; null = unlimited.</param>
    /// <param name="swapBytes">Swap on top of RAM; null = unlimited, 0 = none.</param>
    /// <param name="processes">Processes and threads; null = unlimited.</param>
    /// <param name="guaranteedMemoryBytes">The memory the plan reserves (vmguarpages/oomguarpages barriers); null = none.</param>
    public static BeancounterSet FromSlm(long? memoryBytes, long? swapBytes, int? processes, long? guaranteedMemoryBytes = null)
    {
        if (memoryBytes < 0 || swapBytes < 0 || processes < 0 || guaranteedMemoryBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(memoryBytes), "memory, swap, processes and guarantee cannot be negative");
        }

        var set = BeancounterSet.Unlimited
            .With(UbcResource.PhysPages, new UbcLimit(0, Pages(memoryBytes)))
            .With(UbcResource.SwapPages, new UbcLimit(0, Pages(swapBytes)))
            .With(UbcResource.VmGuarPages, new UbcLimit(Pages(guaranteedMemoryBytes ?? 0), Unlimited))
            .With(UbcResource.OomGuarPages, new UbcLimit(Pages(guaranteedMemoryBytes ?? 0), Unlimited))
            .With(UbcResource.ShmPages, UbcLimit.Both(Pages(memoryBytes is { } m && swapBytes is { } s ? m + s : null)))
            .With(UbcResource.LockedPages, UbcLimit.Both(Pages(memoryBytes is { } ml ? Math.Min(ml / 4, 64 * Mib) : null)));

        if (processes is not { } p)
        {
            return set;
        }

        long avnumproc = p / 2;
        long sockets = Math.Max(80, 2L * p);
        long numpty = Math.Clamp(p / 10, 16, 512);
        long numfile = Math.Max(2048, 2 * Math.Max(32 * avnumproc, sockets + sockets + numpty));
        long numflock = Math.Min(1000, numfile / 10);
        long dcacheLimit = numfile * 384 * 3 / 2;
        long kmemBarrier = Math.Max(40 * Kib * avnumproc + dcacheLimit, (memoryBytes ?? 0) / 8);
        long tcpGap = sockets * 5 * Kib / 2;
        long tcpBarrier = Math.Max(256 * Kib, tcpGap);
        long otherBarrier = Math.Max(128 * Kib, tcpGap);

        return set
            .With(UbcResource.NumProc, UbcLimit.Both(p))
            .With(UbcResource.NumTcpSock, UbcLimit.Both(sockets))
            .With(UbcResource.NumOtherSock, UbcLimit.Both(sockets))
            .With(UbcResource.NumPty, UbcLimit.Both(numpty))
            .With(UbcResource.NumSigInfo, UbcLimit.Both(1024))
            .With(UbcResource.NumIptEnt, UbcLimit.Both(200))
            .With(UbcResource.NumFile, UbcLimit.Both(numfile))
            .With(UbcResource.NumFlock, new UbcLimit(numflock, numflock * 11 / 10))
            .With(UbcResource.DcacheSize, new UbcLimit((long)(dcacheLimit / 1.03), dcacheLimit))
            .With(UbcResource.KmemSize, new UbcLimit(kmemBarrier, kmemBarrier / 10 * 11))
            .With(UbcResource.TcpSndBuf, new UbcLimit(tcpBarrier, tcpBarrier + tcpGap))
            .With(UbcResource.TcpRcvBuf, new UbcLimit(tcpBarrier, tcpBarrier + tcpGap))
            .With(UbcResource.OtherSockBuf, new UbcLimit(otherBarrier, otherBarrier + tcpGap))
            .With(UbcResource.DgramRcvBuf, UbcLimit.Both(256 * Kib));
    }

    /// <summary>The same from the SLM face of a container.</summary>
    public static BeancounterSet FromSlm(ResourceLimits limits, long? guaranteedMemoryBytes = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return FromSlm(limits.MemoryBytes, limits.SwapBytes, limits.Processes, guaranteedMemoryBytes);
    }

    /// <summary>Bytes to whole pages, rounded up; null (unlimited) to LONG_MAX.</summary>
    internal static long Pages(long? bytes) =>
        bytes is { } b ? (b / UbcParameters.PageSize) + (b % UbcParameters.PageSize == 0 ? 0 : 1) : Unlimited;
}
