using System.Globalization;

namespace Hako.Capacity.Backtest;

/// <summary>
/// Reads Hako's usage-history export: one CSV file, header
/// <c>timestamp,container,cpu,memory[,cpu_limit,memory_limit]</c> (columns in any order).
/// </summary>
/// <remarks>
/// <c>timestamp</c> is Unix seconds or ISO 8601; <c>cpu</c> is cores in use, <c>memory</c> bytes
/// in use; the optional limits are the container's limits at that time. Samples are aligned to
/// 5-minute buckets (the last sample in a bucket wins, gaps carry the last value, buckets before
/// a container's first sample are 0). Without limit columns a container's "provisioned" size
/// is its own peak usage, so capacity ratios are then relative to Σ peaks.
/// </remarks>
public static class CsvTraceReader
{
    private const int BucketSeconds = 300;

    public static Trace Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    public static Trace Read(TextReader reader, string sourceName = "<csv>")
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{sourceName}: empty file; expected the header timestamp,container,cpu,memory.");
        var columns = header.Split(',').Select(c => c.Trim().ToLowerInvariant()).ToList();
        int Col(string name, bool required)
        {
            var i = columns.IndexOf(name);
            if (i < 0 && required)
            {
                throw new InvalidDataException($"{sourceName}: header has no '{name}' column; expected timestamp,container,cpu,memory[,cpu_limit,memory_limit].");
            }
            return i;
        }
        int ts = Col("timestamp", true), name = Col("container", true), cpu = Col("cpu", true), mem = Col("memory", true);
        int cpuLimit = Col("cpu_limit", false), memLimit = Col("memory_limit", false);

        var samples = new Dictionary<string, List<(long Time, double Cpu, double CpuLimit, double Memory, double MemoryLimit)>>(StringComparer.Ordinal);
        var problems = new List<string>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var f = line.Split(',');
            if (f.Length < columns.Count)
            {
                problems.Add($"{sourceName}:{lineNumber}: {f.Length} fields, header has {columns.Count}.");
                continue;
            }
            if (!TryTime(f[ts], out var time) || !TryNumber(f[cpu], out var c) || !TryNumber(f[mem], out var m))
            {
                problems.Add($"{sourceName}:{lineNumber}: bad timestamp, cpu or memory in '{line}'.");
                continue;
            }
            var cl = double.NaN;
            var ml = double.NaN;
            if ((cpuLimit >= 0 && !TryNumber(f[cpuLimit], out cl)) || (memLimit >= 0 && !TryNumber(f[memLimit], out ml)))
            {
                problems.Add($"{sourceName}:{lineNumber}: bad cpu_limit or memory_limit in '{line}'.");
                continue;
            }
            var key = f[name].Trim();
            if (!samples.TryGetValue(key, out var list))
            {
                samples[key] = list = [];
            }
            list.Add((time, c, cl, m, ml));
        }
        if (problems.Count > 0)
        {
            throw new InvalidDataException(string.Join(Environment.NewLine, problems.Take(20)) +
                (problems.Count > 20 ? $"{Environment.NewLine}... and {problems.Count - 20} more." : ""));
        }
        if (samples.Count == 0)
        {
            throw new InvalidDataException($"{sourceName}: no samples after the header.");
        }
        var first = samples.Values.Min(l => l.Min(s => s.Time));
        var last = samples.Values.Max(l => l.Max(s => s.Time));
        var origin = first / BucketSeconds * BucketSeconds;
        var count = (int)((last - origin) / BucketSeconds) + 1;
        var tenants = new List<TenantTrace>();
        foreach (var (container, list) in samples.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            list.Sort((a, b) => a.Time.CompareTo(b.Time));
            var peakCpu = list.Max(s => s.Cpu);
            var peakMem = list.Max(s => s.Memory);
            var aligner = new BucketAligner(origin, BucketSeconds, count);
            foreach (var s in list)
            {
                aligner.Set(s.Time, s.Cpu, double.IsNaN(s.CpuLimit) ? peakCpu : s.CpuLimit,
                    s.Memory, double.IsNaN(s.MemoryLimit) ? peakMem : s.MemoryLimit);
            }
            tenants.Add(aligner.Build(container));
        }
        return new Trace(DateTimeOffset.FromUnixTimeSeconds(origin), TimeSpan.FromSeconds(BucketSeconds), count, tenants);
    }

    private static bool TryNumber(string s, out double value) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static bool TryTime(string s, out long seconds)
    {
        s = s.Trim();
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out seconds))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            seconds = t.ToUnixTimeSeconds();
            return true;
        }
        return false;
    }
}
