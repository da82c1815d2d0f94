using System.Globalization;

namespace Hako.Linux.Procfs;

/// <summary>The counters of one network interface, as the host sees them.</summary>
public readonly record struct InterfaceCounters(long RxBytes, long RxPackets, long TxBytes, long TxPackets);

/// <summary>
/// Parser of /proc/net/dev: every interface of the reader's network namespace in one read, so the
/// sampler reads all containers' host-side veths at once instead of four sysfs files each.
/// </summary>
public static class ProcNetDev
{
    public const string DefaultPath = "/proc/net/dev";

    public static IReadOnlyDictionary<string, InterfaceCounters> Read(string path = DefaultPath) => Parse(Files.KernelText.Read(path));

    /// <summary>
    /// After two header lines, one line per interface:
    /// "  eth0: 20375882    6978    0    0    0     0          0         0 20375882    6978    0 ..."
    /// (receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets ...).
    /// Lines that do not parse are skipped.
    /// </summary>
    public static IReadOnlyDictionary<string, InterfaceCounters> Parse(string text)
    {
        var result = new Dictionary<string, InterfaceCounters>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 10 && Long(f[0]) is { } rb && Long(f[1]) is { } rp && Long(f[8]) is { } tb && Long(f[9]) is { } tp)
            {
                result[line[..colon].Trim()] = new InterfaceCounters(rb, rp, tb, tp);
            }
        }

        return result;
    }

    private static long? Long(string s) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
}
