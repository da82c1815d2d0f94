using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Procfs;

/// <summary>The node's CPU time and load: /proc/stat's "cpu" line and /proc/loadavg.</summary>
public static class ProcStat
{
    /// <summary>Busy CPU time of the node now, from /proc/stat.</summary>
    public static long ReadBusyNanoseconds() => BusyNanoseconds(Files.KernelText.Read("/proc/stat"));

    /// <summary>The node's 1-minute load and task count now, from /proc/loadavg.</summary>
    public static (double Load1, long Tasks) ReadLoadavg() => Loadavg(Files.KernelText.Read("/proc/loadavg"));

    /// <summary>OOM kills on the whole node since boot: /proc/vmstat "oom_kill 3" (null before kernel 4.13).</summary>
    public static long? ReadOomKills() => VmstatValue(Files.KernelText.Read("/proc/vmstat"), "oom_kill");

    /// <summary>One "name value" line of /proc/vmstat.</summary>
    public static long? VmstatValue(string text, string name)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > name.Length && line.StartsWith(name, StringComparison.Ordinal) && line[name.Length] == ' '
                && long.TryParse(line.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture hakod runs on.</summary>
    private const long NanosecondsPerTick = 10_000_000;

    /// <summary>
    /// CPU time spent busy by all CPUs, in ns: user + nice + system + irq + softirq + steal from the
    /// first line, "cpu  863025 0 128162 668982 6604 0 1506 1192 0 0" (idle and iowait are not busy;
    /// guest time is already in user).
    /// </summary>
    public static long BusyNanoseconds(string text)
    {
        var end = text.IndexOf('\n', StringComparison.Ordinal);
        var line = end < 0 ? text : text[..end];
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 8 || f[0] != "cpu")
        {
            throw new HakoException(ErrorCode.Internal, $"/proc/stat does not start with the cpu line: '{line}'");
        }

        long Field(int i) => long.Parse(f[i], NumberStyles.None, CultureInfo.InvariantCulture);
        var ticks = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + (f.Length > 8 ? Field(8) : 0);
        return ticks * NanosecondsPerTick;
    }

    /// <summary>The 1-minute load and the number of tasks from /proc/loadavg: "9.86 6.22 3.68 4/154 30890".</summary>
    public static (double Load1, long Tasks) Loadavg(string text)
    {
        var f = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var slash = f.Length >= 4 ? f[3].IndexOf('/', StringComparison.Ordinal) : -1;
        if (slash < 0 || !double.TryParse(f[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load)
            || !long.TryParse(f[3][(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var tasks))
        {
            throw new HakoException(ErrorCode.Internal, $"/proc/loadavg is not 'load1 load5 load15 running/total lastpid': '{text.Trim()}'");
        }

        return (load, tasks);
    }
}
