using System.Globalization;
using Hako.Contracts;

namespace Hako.Linux.Cgroups.Io;

/// <summary>
/// cgroup v1 blkio, mounted at &lt;root&gt;/blkio. Throttles are per device:
/// blkio.throttle.{read,write}_{bps,iops}_device hold "7:3 5242880" lines; writing "7:3 0" removes
/// a device's rule. Measured on this host (docs/io.md): direct I/O and fsync'd writes of the
/// container are charged to its group on the loop device and throttled; plain buffered writes are
/// written back later by the flusher and charged to the root group, so v1 cannot limit them.
/// </summary>
internal sealed class BlkioV1Controller : IIoController
{
    private const string Controller = "blkio";

    private static readonly string[] WeightCandidates = ["blkio.bfq.weight", "blkio.weight"];

    private readonly CgroupFs _fs;

    public BlkioV1Controller(string root)
        : this(new CgroupFs(root, CgroupVersion.V1))
    {
    }

    internal BlkioV1Controller(CgroupFs fs)
    {
        _fs = fs;
        WeightFiles = IoMapping.DetectWeightFiles(_fs.PathOf(Controller), WeightCandidates);
        WeightUnsupportedReason = WeightFiles.Count > 0
            ? null
            : $"unsupported here: no group under {_fs.PathOf(Controller)} has blkio.bfq.weight or blkio.weight " +
              "(the kernel has neither the bfq nor the cfq I/O scheduler), so --ioprio is not applied";
    }

    public string Version => "v1";

    public IReadOnlyList<string> WeightFiles { get; }

    public string? WeightUnsupportedReason { get; }

    public IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? device)
    {
        IoMapping.CheckDeviceGiven(limits, device);
        var lines = new List<string>();
        var weight = IoMapping.Weight(limits.IoPrio);
        lines.AddRange(WeightFiles.Select(f => $"lxc.cgroup.{f} = {weight}"));
        if (device is not null)
        {
            // All four lines, "0" for no limit: on this kernel blk-throttle counts a device's I/O
            // (blkio.throttle.io_service_bytes) only once some group has written a rule for that
            // device, and "7:3 0" is such a write. Without it ReadStats would stay at "Total 0".
            lines.AddRange(Throttles(limits, device).Select(t => $"lxc.cgroup.{t.File} = {t.Value}"));
        }

        return lines;
    }

    public void Apply(string group, ResourceLimits limits, string? device)
    {
        IoMapping.CheckDeviceGiven(limits, device);
        var throttles = device is null ? [] : Throttles(limits, device);
        var weight = IoMapping.Weight(limits.IoPrio).ToString(CultureInfo.InvariantCulture);
        foreach (var file in WeightCandidates.Where(f => _fs.Exists(Path.Combine(Controller, group, f))))
        {
            _fs.Write(Path.Combine(Controller, group, file), weight);
        }

        foreach (var (file, value) in throttles)
        {
            _fs.Write(Path.Combine(Controller, group, file), value);
        }
    }

    public IoStats? ReadStats(string group)
    {
        // The _recursive files include sub-groups (a container's own systemd makes them); a
        // kernel without them has only the group's own counters.
        var bytes = ReadRecursiveOrOwn(group, "blkio.throttle.io_service_bytes");
        var ops = ReadRecursiveOrOwn(group, "blkio.throttle.io_serviced");
        return bytes is null || ops is null ? null : Combine(ParseRwStat(bytes), ParseRwStat(ops));
    }

    /// <summary>
    /// blkio.throttle.io_service_bytes / io_serviced: per device a Read, Write, Sync, Async,
    /// Discard and Total line, then a grand total:
    /// <code>
    /// 7:47 Read 1048576
    /// 7:47 Write 6291456
    /// 7:47 Sync 7340032
    /// 7:47 Async 0
    /// 7:47 Discard 0
    /// 7:47 Total 7340032
    /// Total 7340032
    /// </code>
    /// A group with nothing counted reads "Total 0". Returns device → (read, write).
    /// </summary>
    internal static IReadOnlyDictionary<string, (long Read, long Write)> ParseRwStat(string text)
    {
        var result = new Dictionary<string, (long Read, long Write)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var current = result.GetValueOrDefault(parts[0]);
            switch (parts[1])
            {
                case "Read":
                    result[parts[0]] = current with { Read = value };
                    break;
                case "Write":
                    result[parts[0]] = current with { Write = value };
                    break;
            }
        }

        return result;
    }

    private string? ReadRecursiveOrOwn(string group, string file) =>
        _fs.ReadString(Path.Combine(Controller, group, file + "_recursive"))
        ?? _fs.ReadString(Path.Combine(Controller, group, file));

    private static IoStats Combine(
        IReadOnlyDictionary<string, (long Read, long Write)> bytes,
        IReadOnlyDictionary<string, (long Read, long Write)> ops) =>
        new([.. bytes.Keys.Union(ops.Keys).Order(StringComparer.Ordinal).Select(d =>
        {
            var b = bytes.GetValueOrDefault(d);
            var o = ops.GetValueOrDefault(d);
            return new IoDeviceStats(d, b.Read, b.Write, o.Read, o.Write);
        })]);

    private static (string File, string Value)[] Throttles(ResourceLimits limits, string device)
    {
        IoMapping.CheckDevice(device);
        var (readBps, writeBps, readIops, writeIops) = IoMapping.Throttles(limits);
        return
        [
            ("blkio.throttle.read_bps_device", Rule(readBps)),
            ("blkio.throttle.write_bps_device", Rule(writeBps)),
            ("blkio.throttle.read_iops_device", Rule(readIops)),
            ("blkio.throttle.write_iops_device", Rule(writeIops)),
        ];

        // v1 spells "no limit" as 0 here (not -1 as memory.* does); reading back then shows no line.
        string Rule(long? limit) => $"{device} {(limit ?? 0).ToString(CultureInfo.InvariantCulture)}";
    }
}
