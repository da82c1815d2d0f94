using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Procfs;

/// <summary>The node's memory as /proc/meminfo reports it, in bytes.</summary>
public sealed record MemInfo(long MemTotalBytes, long MemAvailableBytes, long SwapTotalBytes, long SwapFreeBytes)
{
    /// <summary>Page cache ("Cached"), 0 when the line is missing.</summary>
    public long CachedBytes { get; init; }
}

/// <summary>Parser of /proc/meminfo; takes a path so tests can feed it a copy of the real file.</summary>
public static class ProcMeminfo
{
    public const string DefaultPath = "/proc/meminfo";

    public static MemInfo Read(string path = DefaultPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new HakoException(ErrorCode.Internal, $"Cannot read {path}: {e.Message}", e);
        }

        return Parse(text, path);
    }

    /// <summary>Lines look like "MemTotal:       24683304 kB"; the unit is always kB (KiB), counters without a unit are skipped.</summary>
    public static MemInfo Parse(string text, string source = DefaultPath)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is [var number, "kB"] && long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
            {
                values[line[..colon]] = kib * 1024;
            }
        }

        long Get(string key) => values.TryGetValue(key, out var v)
            ? v
            : throw new HakoException(ErrorCode.Internal, $"{source} has no {key} line; is it /proc/meminfo?");

        return new MemInfo(Get("MemTotal"), Get("MemAvailable"), Get("SwapTotal"), Get("SwapFree"))
        {
            CachedBytes = values.GetValueOrDefault("Cached"),
        };
    }
}

/// <summary>CPUs of the node.</summary>
public static class HostCpus
{
    /// <summary>CPUs this process may run on (honours affinity and the cgroup cpuset), e.g. 2 on the build hosts.</summary>
    public static int Count => Environment.ProcessorCount;
}
