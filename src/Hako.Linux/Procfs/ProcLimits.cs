using System.Globalization;

namespace Hako.Linux.Procfs;

/// <summary>/proc/self/limits: the hard limits a process (hakod, hence LXC) can hand on to a container.</summary>
public static class ProcLimits
{
    // "Max open files            1024                 20000                files"
    private static readonly Dictionary<string, string> LxcNames = new()
    {
        ["nofile"] = "Max open files",
        ["memlock"] = "Max locked memory",
        ["sigpending"] = "Max pending signals",
        ["nproc"] = "Max processes",
    };

    /// <summary>The hard limit of an lxc.prlimit resource name; null when unlimited or unknown.</summary>
    public static long? Hard(string lxcName, string path = "/proc/self/limits")
    {
        if (!LxcNames.TryGetValue(lxcName, out var label))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(label, StringComparison.Ordinal))
            {
                var fields = line[label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length >= 2 && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hard) ? hard : null;
            }
        }

        return null;
    }

    /// <summary>
    /// Lowers "lxc.prlimit.X = soft:hard" lines to what this process may grant: without CAP_SYS_RESOURCE a hard
    /// limit above our own makes lxc-start fail ("Failed to set limit"), so the container would not start at all.
    /// </summary>
    public static IEnumerable<string> ClampPrlimitLines(IEnumerable<string> lines, string path = "/proc/self/limits")
    {
        foreach (var line in lines)
        {
            const string prefix = "lxc.prlimit.";
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (!line.StartsWith(prefix, StringComparison.Ordinal) || eq < 0)
            {
                yield return line;
                continue;
            }

            var name = line[prefix.Length..eq].Trim();
            var parts = line[(eq + 1)..].Trim().Split(':');
            if (Hard(name, path) is not { } max
                || !parts.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                yield return line;
                continue;
            }

            var values = parts.Select(p => Math.Min(long.Parse(p, CultureInfo.InvariantCulture), max)).ToList();
            yield return $"{prefix}{name} = {string.Join(':', values)}";
        }
    }
}
