using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Core.Resources;

public enum UbcSeverity
{
    /// <summary>Printed; the change goes through.</summary>
    Warning,

    /// <summary>Refuses the change.</summary>
    Error,
}

/// <param name="Rule">Stable rule id, e.g. <c>kmemsize</c> or <c>barrier-le-limit</c> (see <see cref="UbcValidator"/>).</param>
/// <param name="Resource">The parameter to change to fix it.</param>
/// <param name="Message">The rule with its numbers and what to do.</param>
public sealed record UbcFinding(string Rule, UbcSeverity Severity, UbcResource Resource, string Message)
{
    public override string ToString() => $"{(Severity == UbcSeverity.Error ? "error" : "warning")}: {Message}";
}

/// <summary>
/// vzcfgvalidate's consistency rules (vzctl src/validate.c), as listed in DESIGN.md §3. Severities follow
/// vzctl: what it logs as "Error:" is an error here, "Warning:" a warning. Rule ids:
/// <list type="bullet">
/// <item><c>barrier-le-limit</c> (error): barrier ≤ limit, every parameter (vzctl CHECK_BL).</item>
/// <item><c>barrier-eq-limit</c> (error): barrier = limit for numproc, numtcpsock, numothersock, numfile, numpty,
/// numsiginfo, numiptent (vzctl CHECK_B logs "Error: barrier should be equal to limit"; numflock is checked
/// with CHECK_BL instead, and the classic samples ship it as 100:110).</item>
/// <item><c>kmemsize</c> (error): kmemsize.barrier ≥ 40 KiB × avnumproc + dcachesize.limit.</item>
/// <item><c>tcpsndbuf</c>, <c>othersockbuf</c> (error), <c>tcprcvbuf</c> (warning): limit − barrier ≥ 2.5 KiB × numtcpsock
/// (numothersock for othersockbuf).</item>
/// <item><c>dcachesize</c> (warning): dcachesize.limit ≥ 384 × numfile.</item>
/// <item><c>numfile</c> (warning): numfile ≥ max(32 × avnumproc, numtcpsock + numothersock + numpty).</item>
/// <item><c>privvmpages</c> (warning): privvmpages.barrier ≥ vmguarpages.barrier.</item>
/// </list>
/// Counts use barriers, as vzctl does. Unlimited (LONG_MAX) is infinity, not a number to overflow: an unlimited
/// value satisfies every "at least" rule, and a requirement computed from an unlimited count is unlimited.
/// vzctl's VSwap-era and pre-VSwap extras (vmguarpages/oomguarpages limit = LONG_MAX, physpages = 0:LONG_MAX,
/// shmpages barrier = limit, the 64K/32K buffer minimums) are not applied: they contradict VSwap configurations.
/// </summary>
public static class UbcValidator
{
    private const long Kib = 1024;

    /// <summary>Applies every rule and returns all findings at once, errors and warnings, in rule order.</summary>
    public static IReadOnlyList<UbcFinding> Validate(BeancounterSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var findings = new List<UbcFinding>();

        foreach (var (p, v) in set.Entries)
        {
            if (v.Barrier > v.Limit)
            {
                findings.Add(new("barrier-le-limit", UbcSeverity.Error, p.Resource,
                    $"{p.Name}.barrier {H(v.Barrier, p)} > {p.Name}.limit {H(v.Limit, p)}; the barrier must not exceed the limit, e.g. --{p.Name} {new UbcLimit(v.Barrier, v.Barrier).ToVzctl(p.Unit)}"));
            }
            else if (p.RequiresBarrierEqualsLimit && v.Barrier != v.Limit)
            {
                findings.Add(new("barrier-eq-limit", UbcSeverity.Error, p.Resource,
                    $"{p.Name} barrier {H(v.Barrier, p)} ≠ limit {H(v.Limit, p)}; a num* counter has one value, e.g. --{p.Name} {UbcText.Exact(v.Limit, p.Unit)}"));
            }
        }

        var avnumproc = set.EffectiveAvNumProc;
        var avText = set.AvNumProc is null ? $"avnumproc {H(avnumproc)} (numproc/2)" : $"avnumproc {H(avnumproc)}";

        // kmemsize must hold ~40 KiB of kernel structures per average process plus the whole dentry cache.
        var dcacheLimit = set[UbcResource.DcacheSize].Limit;
        var kmemNeed = Add(Mul(avnumproc, 40 * Kib), dcacheLimit);
        var kmemBarrier = set[UbcResource.KmemSize].Barrier;
        if (kmemBarrier < kmemNeed)
        {
            findings.Add(new("kmemsize", UbcSeverity.Error, UbcResource.KmemSize,
                $"kmemsize.barrier {B(kmemBarrier)} < 40K × {avText} + dcachesize.limit {B(dcacheLimit)} = {B(kmemNeed)}; "
                + (kmemNeed == UbcLimit.Unlimited ? "set numproc (or avnumproc) and dcachesize, or make kmemsize unlimited" : $"raise kmemsize.barrier to at least {B(kmemNeed)}")));
        }

        // Each socket needs room for at least one 2.5 KiB packet between barrier and limit.
        Gap(findings, set, UbcResource.TcpSndBuf, UbcResource.NumTcpSock, UbcSeverity.Error);
        Gap(findings, set, UbcResource.OtherSockBuf, UbcResource.NumOtherSock, UbcSeverity.Error);
        Gap(findings, set, UbcResource.TcpRcvBuf, UbcResource.NumTcpSock, UbcSeverity.Warning);

        var numfile = set[UbcResource.NumFile].Barrier;
        var dcacheNeed = Mul(numfile, 384);
        if (dcacheLimit < dcacheNeed)
        {
            findings.Add(new("dcachesize", UbcSeverity.Warning, UbcResource.DcacheSize,
                $"dcachesize.limit {B(dcacheLimit)} < 384 × numfile {H(numfile)} = {B(dcacheNeed)}; "
                + (dcacheNeed == UbcLimit.Unlimited ? "set numfile, or make dcachesize unlimited" : $"raise dcachesize.limit to at least {B(dcacheNeed)}")));
        }

        var tcp = set[UbcResource.NumTcpSock].Barrier;
        var other = set[UbcResource.NumOtherSock].Barrier;
        var pty = set[UbcResource.NumPty].Barrier;
        var perProcess = Mul(avnumproc, 32);
        var sockets = Add(Add(tcp, other), pty);
        var numfileNeed = Math.Max(perProcess, sockets);
        if (numfile < numfileNeed)
        {
            findings.Add(new("numfile", UbcSeverity.Warning, UbcResource.NumFile,
                $"numfile {H(numfile)} < max(32 × {avText} = {H(perProcess)}, numtcpsock {H(tcp)} + numothersock {H(other)} + numpty {H(pty)} = {H(sockets)}) = {H(numfileNeed)}; "
                + (numfileNeed == UbcLimit.Unlimited ? "set numproc (or avnumproc) and the socket counts, or make numfile unlimited" : $"raise numfile to at least {H(numfileNeed)}")));
        }

        var privvm = set[UbcResource.PrivVmPages].Barrier;
        var vmguar = set[UbcResource.VmGuarPages].Barrier;
        if (privvm < vmguar)
        {
            findings.Add(new("privvmpages", UbcSeverity.Warning, UbcResource.PrivVmPages,
                $"privvmpages.barrier {P(privvm)} < vmguarpages.barrier {P(vmguar)}; the guarantee cannot exceed what may be allocated: raise privvmpages.barrier to at least {P(vmguar)}"));
        }

        return findings;
    }

    /// <summary>Throws when any finding is an error; the exception lists every error. Warnings are left to the caller to print.</summary>
    /// <exception cref="HakoException">InvalidArgument.</exception>
    public static void ThrowIfErrors(IReadOnlyList<UbcFinding> findings)
    {
        var errors = findings.Where(f => f.Severity == UbcSeverity.Error).Select(f => f.Message).ToList();
        if (errors.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                errors.Count == 1 ? $"Beancounters are inconsistent: {errors[0]}"
                    : $"Beancounters are inconsistent ({errors.Count} errors): {string.Join("; ", errors)}", errors);
        }
    }

    private static void Gap(List<UbcFinding> findings, BeancounterSet set, UbcResource buffer, UbcResource count, UbcSeverity severity)
    {
        var p = UbcParameters.Get(buffer);
        var c = UbcParameters.Get(count);
        var (barrier, limit) = set[buffer];
        var sockets = set[count].Barrier;
        if (barrier > limit)
        {
            return; // already reported by barrier-le-limit
        }

        // An unlimited limit leaves an unlimited gap, whatever the barrier.
        var gap = limit == UbcLimit.Unlimited ? UbcLimit.Unlimited : limit - barrier;
        var need = Mul(sockets, 5 * Kib / 2);
        if (gap < need)
        {
            var fix = need == UbcLimit.Unlimited || barrier > UbcLimit.Unlimited - need
                ? $"set {c.Name}, or make {p.Name} unlimited"
                : $"raise {p.Name}.limit to at least {B(barrier + need)}";
            findings.Add(new(p.Name, severity, buffer,
                $"{p.Name}.limit − barrier {B(gap)} < 2.5K × {c.Name} {H(sockets)} = {B(need)}; {fix}"));
        }
    }

    // Saturating arithmetic: Unlimited behaves as infinity.
    private static long Add(long a, long b) =>
        a == UbcLimit.Unlimited || b == UbcLimit.Unlimited || a > UbcLimit.Unlimited - b ? UbcLimit.Unlimited : a + b;

    private static long Mul(long a, long k) =>
        a == UbcLimit.Unlimited || (a != 0 && k > UbcLimit.Unlimited / a) ? UbcLimit.Unlimited : a * k;

    private static string B(long bytes) => UbcText.Human(bytes, UbcUnit.Bytes);

    private static string P(long pages) => UbcText.Human(pages, UbcUnit.Pages);

    private static string H(long items) => UbcText.Human(items, UbcUnit.Items);

    private static string H(long value, UbcParameter p) => UbcText.Human(value, p.Unit);
}
