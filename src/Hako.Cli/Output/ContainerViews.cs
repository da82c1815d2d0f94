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
            .Add("Memory", UsedOf(usage?.MemoryBytes, limits.MemoryBytes))
            .Add("Swap", limits.SwapBytes == 0 ? $"{Sizes.FormatUsage(usage?.SwapBytes)} used, no swap allowed" : UsedOf(usage?.SwapBytes, limits.SwapBytes))
            .Add("CPUs", FormatCpu(limits))
            .Add("CPU time", usage?.CpuSeconds is { } s ? s.ToString("0.##", CultureInfo.InvariantCulture) + " s" : "-")
            .Add("Processes", $"{Count(usage?.Processes)} of {(limits.Processes is { } p ? p.ToString(CultureInfo.InvariantCulture) : "unlimited")}")
            .Add("Disk", UsedOf(usage?.DiskBytes, limits.DiskBytes)
                + (usage?.DiskInodes is { } inodes ? $", {inodes.ToString(CultureInfo.InvariantCulture)} inodes" : "")
                + (limits.DiskBytes is null ? " (plain directory, no quota)" : ""));

        var text = grid.Render();
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
        return changes;
    }

    public static string FormatTime(DateTimeOffset time) =>
        time == default ? "-" : time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string FormatCpu(ResourceLimits limits) =>
        $"{OrAll(limits.Cpus)}, cap {(limits.CpuLimitPercent is { } p ? Percent(p) : "none")}, units {Str(limits.CpuUnits)}";

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
