using System.Globalization;

namespace Hako.Linux.Beancounters;

/// <summary>Parsers of the procfs text the beancounter probe reads; each takes the text, so tests feed real kernel output.</summary>
internal static class ProcText
{
    /// <summary>
    /// /proc/PID/net/sockstat and sockstat6 of one network namespace:
    /// <code>
    /// sockets: used 8
    /// TCP: inuse 1 orphan 0 tw 0 alloc 5 mem 62
    /// UDP: inuse 2 mem 0
    /// TCP6: inuse 2
    /// </code>
    /// "sockets: used" and every "inuse" are per netns on 6.x (checked: 8 in a container, 23 on the host at the
    /// same time); "alloc", "orphan" and "mem" are host-wide and not used. Returns "used" and TCP + TCP6 inuse.
    /// </summary>
    public static (long? Used, long? TcpInUse) Sockstat(string? sockstat, string? sockstat6)
    {
        long? used = null, tcp = null;
        foreach (var line in Lines(sockstat).Concat(Lines(sockstat6)))
        {
            if (line.StartsWith("sockets:", StringComparison.Ordinal))
            {
                used = Field(line, "used");
            }
            else if ((line.StartsWith("TCP:", StringComparison.Ordinal) || line.StartsWith("TCP6:", StringComparison.Ordinal))
                && Field(line, "inuse") is { } n)
            {
                tcp = (tcp ?? 0) + n;
            }
        }

        return (used, tcp);
    }

    /// <summary>
    /// Locks per pid from /proc/locks, as seen from the host's pid namespace:
    /// <c>3: FLOCK  ADVISORY  WRITE 23077 fe:00:11660529 0 EOF</c>. Waiters ("3: -> FLOCK ...") hold nothing and are
    /// skipped; OFD locks show pid -1 and belong to no process.
    /// </summary>
    public static Dictionary<int, int> LocksByPid(string? text)
    {
        var result = new Dictionary<int, int>();
        foreach (var line in Lines(text))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || f[1] == "->" || !int.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            result[pid] = result.GetValueOrDefault(pid) + 1;
        }

        return result;
    }

    /// <summary>
    /// The "data" field of /proc/PID/statm, in pages: <c>6205 5473 3741 1 0 2021 0</c> (size resident shared text
    /// lib data dt). data is mm->data_vm + mm->stack_vm, i.e. VmData + VmStk of /proc/PID/status: the private
    /// writable mappings, what OpenVZ charged to privvmpages.
    /// </summary>
    public static long? StatmData(string? text)
    {
        var f = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length >= 6 && long.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out var data) ? data : null;
    }

    /// <summary>"SigQ:	1/1024" in /proc/PID/status: signals queued for the process's real user, and its RLIMIT_SIGPENDING.</summary>
    public static long? SigQueued(string? status)
    {
        foreach (var line in Lines(status))
        {
            if (line.StartsWith("SigQ:", StringComparison.Ordinal))
            {
                var value = line[5..].Trim();
                var slash = value.IndexOf('/', StringComparison.Ordinal);
                return long.TryParse(slash < 0 ? value : value[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Σ rx_queue of /proc/PID/net/udp-style tables (one socket a line after the header:
    /// <c>12565: 0100007F:1388 00000000:0000 07 00000000:00001A00 ...</c>, "tx_queue:rx_queue" in hex, bytes).
    /// </summary>
    public static long ReceiveQueues(string? text)
    {
        long sum = 0;
        foreach (var line in Lines(text).Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 4 && f[4].IndexOf(':', StringComparison.Ordinal) is var colon and > 0
                && long.TryParse(f[4].AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var rx))
            {
                sum += rx;
            }
        }

        return sum;
    }

    private static IEnumerable<string> Lines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The number after <paramref name="name"/> in "TCP: inuse 1 orphan 0 ...".</summary>
    private static long? Field(string line, string name)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 1; i + 1 < f.Length; i++)
        {
            if (f[i] == name && long.TryParse(f[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return v;
            }
        }

        return null;
    }
}
