using System.Globalization;
using Hako.Contracts;

namespace Hako.Linux.Cgroups.Io;

/// <summary>
/// cgroup v2 io controller (Documentation/admin-guide/cgroup-v2.rst, "IO"): throttles in io.max
/// ("8:16 rbps=2097152 wbps=max riops=max wiops=120"; "max" removes a limit), counters in io.stat,
/// weight in io.weight (iocost) and/or io.bfq.weight. With the memory controller also enabled, v2
/// charges buffered writeback to the group that dirtied the pages, which v1 cannot.
/// </summary>
internal sealed class IoV2Controller : IIoController
{
    private static readonly string[] WeightCandidates = ["io.bfq.weight", "io.weight"];

    private readonly CgroupFs _fs;

    public IoV2Controller(string root)
        : this(new CgroupFs(root, CgroupVersion.V2))
    {
    }

    internal IoV2Controller(CgroupFs fs)
    {
        _fs = fs;
        WeightFiles = IoMapping.DetectWeightFiles(_fs.Root, WeightCandidates);
        WeightUnsupportedReason = WeightFiles.Count > 0
            ? null
            : $"unsupported here: no group under {_fs.Root} has io.bfq.weight or io.weight (neither the bfq " +
              "scheduler nor iocost is built in, or the io controller is not enabled), so --ioprio is not applied";
    }

    public string Version => "v2";

    public IReadOnlyList<string> WeightFiles { get; }

    public string? WeightUnsupportedReason { get; }

    public IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? device)
    {
        IoMapping.CheckDeviceGiven(limits, device);
        var weight = IoMapping.Weight(limits.IoPrio);
        var lines = WeightFiles.Select(f => $"lxc.cgroup2.{f} = {weight}").ToList();

        // v2 counts every group's I/O in io.stat without any rule, so no line is needed when
        // nothing is limited (unlike v1, see BlkioV1Controller).
        if (device is not null && IoMapping.AnyThrottle(limits))
        {
            lines.Add($"lxc.cgroup2.io.max = {IoMax(limits, device)}");
        }

        return lines;
    }

    public void Apply(string group, ResourceLimits limits, string? device)
    {
        IoMapping.CheckDeviceGiven(limits, device);
        var ioMax = device is null ? null : IoMax(limits, device);

        // io.weight and io.bfq.weight both take a bare number as the new default weight.
        var weight = IoMapping.Weight(limits.IoPrio).ToString(CultureInfo.InvariantCulture);
        foreach (var file in WeightCandidates.Where(f => _fs.Exists(Path.Combine(group, f))))
        {
            _fs.Write(Path.Combine(group, file), weight);
        }

        if (ioMax is not null)
        {
            _fs.Write(Path.Combine(group, "io.max"), ioMax);
        }
    }

    public IoStats? ReadStats(string group)
    {
        // io.stat already includes the group's descendants (it is aggregated through rstat).
        var text = _fs.ReadString(Path.Combine(group, "io.stat"));
        return text is null ? null : ParseIoStat(text);
    }

    /// <summary>
    /// io.stat: one line per device, not ordered, nested keys; a group without I/O reads empty.
    /// Other controllers add keys (iocost "cost.*", io.latency "depth avg_lat win"), ignored here:
    /// <code>8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0</code>
    /// </summary>
    internal static IoStats ParseIoStat(string text)
    {
        var devices = new List<IoDeviceStats>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !parts[0].Contains(':', StringComparison.Ordinal))
            {
                continue;
            }

            var keys = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var pair in parts.Skip(1))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && long.TryParse(pair.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    keys[pair[..eq]] = value;
                }
            }

            devices.Add(new IoDeviceStats(parts[0],
                keys.GetValueOrDefault("rbytes"), keys.GetValueOrDefault("wbytes"),
                keys.GetValueOrDefault("rios"), keys.GetValueOrDefault("wios")));
        }

        return new IoStats([.. devices.OrderBy(d => d.Device, StringComparer.Ordinal)]);
    }

    /// <summary>"7:3 rbps=N wbps=N riops=N wiops=N", every key written so an old limit is removed ("max").</summary>
    private static string IoMax(ResourceLimits limits, string device)
    {
        IoMapping.CheckDevice(device);
        var (readBps, writeBps, readIops, writeIops) = IoMapping.Throttles(limits);
        return $"{device} rbps={Max(readBps)} wbps={Max(writeBps)} riops={Max(readIops)} wiops={Max(writeIops)}";

        static string Max(long? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "max";
    }
}
