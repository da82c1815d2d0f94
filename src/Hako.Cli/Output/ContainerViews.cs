using System.Globalization;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>Text renderings of containers for `list`, `show` and `set`.</summary>
internal static class ContainerViews
{
    public static string RenderList(IEnumerable<ContainerInfo> containers)
    {
        var table = new TextTable("NAME", "STATE", "IPV4", "TEMPLATE", "MEMORY", "DISK");
        foreach (var c in containers.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            table.AddRow(
                c.Name,
                c.State,
                c.Ip ?? "-",
                c.Template,
                Sizes.UsedOfLimit(c.Usage?.MemoryBytes, c.Limits.MemoryBytes),
                Sizes.UsedOfLimit(c.Usage?.DiskBytes, c.Limits.DiskBytes));
        }

        return table.Render();
    }

    public static string RenderShow(ContainerInfo c)
    {
        var usage = c.Usage;
        var limits = c.Limits;
        var grid = new KeyValueGrid()
            .Add("Name", c.Name)
            .Add("State", c.InitPid is { } pid ? $"{c.State} (init pid {pid})" : c.State)
            .Add("Template", c.Template)
            .Add("Hostname", c.Hostname)
            .Add("IPv4", c.Ip ?? "-")
            .Add("Nameservers", c.Nameservers.Count == 0 ? "-" : string.Join(", ", c.Nameservers))
            .Add("Privileged", c.Privileged
                ? "yes: container root is host root"
                : $"no (container root is host uid {c.HostRootUid})")
            .Add("On boot", YesNo(c.OnBoot))
            .Add("Created", FormatTime(c.CreatedAt))
            .Add("LXC path", c.LxcPath ?? "-")
            .Add("Plan", c.Plan ?? "-")
            .Add("Mode", c.Mode == "ubc" ? "ubc (full beancounter set)" : c.Mode == "slm" ? "slm (memory + swap; other counters derived)" : c.Mode)
            .Add("Kind", c.Kind)
            .Add("Guarantees", FormatGuarantees(c.Guarantees))
            .Add("Memory", UsedOf(usage?.MemoryBytes, limits.MemoryBytes))
            .Add("Swap", limits.SwapBytes == 0 ? $"{Sizes.FormatUsage(usage?.SwapBytes)} used, no swap allowed" : UsedOf(usage?.SwapBytes, limits.SwapBytes))
            .Add("CPUs", FormatCpu(limits))
            .Add("CPU time", usage?.CpuSeconds is { } s ? s.ToString("0.##", CultureInfo.InvariantCulture) + " s" : "-")
            .Add("Processes", $"{Count(usage?.Processes)} of {(limits.Processes is { } p ? p.ToString(CultureInfo.InvariantCulture) : "unlimited")}")
            .Add("Disk", UsedOf(usage?.DiskBytes, limits.DiskBytes)
                + (usage?.DiskInodes is { } inodes ? $", {inodes.ToString(CultureInfo.InvariantCulture)} inodes" : "")
                + (limits.DiskBytes is null ? " (plain directory, no quota)" : ""))
            .Add("I/O limits", FormatIoLimits(limits))
            .Add("I/O usage", FormatIoUsage(usage));

        var text = grid.Render();
        if (c.Warnings is { Count: > 0 } warnings)
        {
            text += "\nValidation warnings (last create/set):\n" + string.Concat(warnings.Select(w => "  " + w + "\n"));
        }

        if (c.Mode == "ubc" && c.Beancounters is { Count: > 0 } beancounters)
        {
            text += "\nBeancounters (vzctl syntax; live values: hako ubc " + c.Name + "):\n" + Beancounters.Render(beancounters);
        }

        if (c.Events.Count == 0)
        {
            return text + "\nLimit events: none (no limit has been hit)\n";
        }

        var events = new TextTable("COUNTER", "COUNT", "LAST SEEN", "DETAIL");
        foreach (var e in c.Events.OrderByDescending(e => e.LastSeen))
        {
            events.AddRow(e.Counter, e.Count.ToString(CultureInfo.InvariantCulture), FormatTime(e.LastSeen), e.Detail ?? "");
        }

        return text + "\nLimit events (limits the kernel enforced):\n" + events.Render();
    }

    /// <summary>"memory: 256M -> 512M" for each setting that differs, for `hako set`.</summary>
    public static List<string> Diff(ContainerInfo before, ContainerInfo after)
    {
        var changes = new List<string>();
        void Compare(string what, string old, string now)
        {
            if (old != now)
            {
                changes.Add($"{what}: {old} -> {now}");
            }
        }

        Compare("hostname", before.Hostname, after.Hostname);
        Compare("nameservers", JoinOrNone(before.Nameservers), JoinOrNone(after.Nameservers));
        Compare("memory", Sizes.FormatLimit(before.Limits.MemoryBytes), Sizes.FormatLimit(after.Limits.MemoryBytes));
        Compare("swap", Sizes.FormatLimit(before.Limits.SwapBytes), Sizes.FormatLimit(after.Limits.SwapBytes));
        Compare("cpus", OrAll(before.Limits.Cpus), OrAll(after.Limits.Cpus));
        Compare("cpulimit", Percent(before.Limits.CpuLimitPercent), Percent(after.Limits.CpuLimitPercent));
        Compare("cpuunits", Str(before.Limits.CpuUnits), Str(after.Limits.CpuUnits));
        Compare("processes", OrUnlimited(before.Limits.Processes), OrUnlimited(after.Limits.Processes));
        Compare("disk", Sizes.FormatLimit(before.Limits.DiskBytes), Sizes.FormatLimit(after.Limits.DiskBytes));
        Compare("onboot", YesNo(before.OnBoot), YesNo(after.OnBoot));
        Compare("plan", before.Plan ?? "none", after.Plan ?? "none");
        Compare("mode", before.Mode, after.Mode);
        Compare("kind", before.Kind, after.Kind);
        Compare("guarantees", FormatGuarantees(before.Guarantees), FormatGuarantees(after.Guarantees));
        Compare("cpumask", before.Limits.CpuMask ?? "auto", after.Limits.CpuMask ?? "auto");
        Compare("ioprio", IoPrio(before.Limits.IoPrio), IoPrio(after.Limits.IoPrio));
        Compare("iolimit", IoRate(before.Limits.IoLimitBytesPerSecond), IoRate(after.Limits.IoLimitBytesPerSecond));
        Compare("iopslimit", Long(before.Limits.IopsLimit), Long(after.Limits.IopsLimit));
        var oldCounters = before.Beancounters ?? new Dictionary<string, string>();
        var newCounters = after.Beancounters ?? new Dictionary<string, string>();
        foreach (var name in Beancounters.OrderNames(oldCounters.Keys.Concat(newCounters.Keys)))
        {
            Compare(name, oldCounters.TryGetValue(name, out var o) ? o : "unset", newCounters.TryGetValue(name, out var n) ? n : "unset");
        }

        return changes;
    }

    public static string FormatTime(DateTimeOffset time) =>
        time == default ? "-" : time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string FormatCpu(ResourceLimits limits) =>
        $"{OrAll(limits.Cpus)}, cap {(limits.CpuLimitPercent is { } p ? Percent(p) : "none")}, units {Str(limits.CpuUnits)}"
        + (limits.CpuMask is { } mask ? $", mask {mask}" : "");

    /// <summary>"memory 128M, cpus 0.5, disk 1G", or "none".</summary>
    public static string FormatGuarantees(ResourceGuarantees? g) => g is null
        ? "none"
        : $"memory {Sizes.Format(g.MemoryBytes)}, cpus {Sizes.FormatCpus(g.Cpus)}, disk {Sizes.Format(g.DiskBytes)}";

    /// <summary>"prio 4 (default), 10M/s, 500 ops/s".</summary>
    public static string FormatIoLimits(ResourceLimits limits) =>
        $"prio {IoPrio(limits.IoPrio)}, bandwidth {IoRate(limits.IoLimitBytesPerSecond)}, " +
        $"iops {(limits.IopsLimit is { } iops ? iops.ToString(CultureInfo.InvariantCulture) + " ops/s" : "unlimited")}";

    private static string FormatIoUsage(ResourceUsage? usage)
    {
        if (usage is null || (usage.IoReadBytes ?? usage.IoWriteBytes ?? usage.IoReadOps ?? usage.IoWriteOps) is null)
        {
            return "-";
        }

        return $"read {Sizes.FormatUsage(usage.IoReadBytes)} in {Long(usage.IoReadOps, "-")} ops, " +
            $"written {Sizes.FormatUsage(usage.IoWriteBytes)} in {Long(usage.IoWriteOps, "-")} ops";
    }

    private static string IoPrio(int? prio) => prio is { } p ? Str(p) : "4 (default)";

    private static string IoRate(long? bytesPerSecond) => bytesPerSecond is { } b ? Sizes.Format(b) + "/s" : "unlimited";

    private static string Long(long? value, string none = "unlimited") => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : none;

    private static string UsedOf(long? used, long? limit) =>
        $"{Sizes.FormatUsage(used)} used of {Sizes.FormatLimit(limit)}";

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Count(int? value) => value is { } v ? Str(v) : "-";

    private static string OrAll(int? cpus) => cpus is { } c ? Str(c) : "all";

    private static string OrUnlimited(int? value) => value is { } v ? Str(v) : "unlimited";

    private static string Percent(int? value) => value is { } v ? Str(v) + "%" : "none";

    private static string JoinOrNone(IReadOnlyList<string> values) => values.Count == 0 ? "none" : string.Join(",", values);
}
