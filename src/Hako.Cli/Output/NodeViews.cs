using System.Globalization;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>`hako node` and the template tables.</summary>
internal static class NodeViews
{
    public static string RenderNode(NodeInfo node)
    {
        var grid = new KeyValueGrid()
            .Add("Node", node.NodeName)
            .Add("hakod", node.Version)
            .Add("cgroup", node.CgroupVersion)
            .Add("Network", $"{node.Bridge ?? "-"} {node.Subnet ?? ""}".TrimEnd() + (node.Nat ? " (NAT on)" : " (no NAT)"))
            .Add("lxcfs", node.Lxcfs ? "yes" : "no")
            .Add("Confined", node.Confinement ?? "-")
            .Add("TLS", node.TlsFingerprint ?? "-")
            .Add("Anti-spoof", AntiSpoof(node.AntiSpoof))
            .Add("Data dir", node.DataDir ?? "-")
            .Add("Privileged", node.AllowPrivileged ? "allowed (--allow-privileged)" : "refused")
            .Add("Unlimited disk", node.AllowUnlimitedDisk ? "allowed (--allow-unlimited-disk)" : "refused")
            .Add("Containers", $"{node.Containers.ToString(CultureInfo.InvariantCulture)} ({node.RunningContainers.ToString(CultureInfo.InvariantCulture)} running)");

        if (node.Reserve is null && node.CommittedGuarantees is null && node.OvercommitRatios is null)
        {
            return grid.Render() + "\n" + RenderPlainTable(node);
        }

        return grid.Render() + "\n" + RenderAdmissionTable(node);
    }

    /// <summary>"on: 3 ports filtered (2 up), 17 frames dropped, table bridge hako-n1"; "off (--no-antispoof)"; "-" from an older hakod.</summary>
    private static string AntiSpoof(AntiSpoofInfo? a) => a switch
    {
        null => "-",
        { Enabled: false } => "off (--no-antispoof): containers may send from any address",
        { TablePresent: false } => $"on, but table {a.Table} is missing from the kernel (the next container start makes it again)",
        _ => $"on: {a.Ports.ToString(CultureInfo.InvariantCulture)} ports filtered ({a.PortsUp.ToString(CultureInfo.InvariantCulture)} up), "
            + $"{a.Dropped.ToString(CultureInfo.InvariantCulture)} frames dropped, table {a.Table}",
    };

    /// <summary>A hakod that knows nothing of reserve, guarantees and ratios: capacity, committed, used.</summary>
    private static string RenderPlainTable(NodeInfo node)
    {
        // Committed may pass capacity on purpose (best-effort overselling); the percentage shows by how much.
        var table = new TextTable("RESOURCE", "CAPACITY", "COMMITTED", "USED", "FREE");
        table.AddRow("memory", Sizes.Format(node.Capacity.MemoryBytes), WithShare(node.Committed.MemoryBytes, node.Capacity.MemoryBytes),
            WithShare(node.Used.MemoryBytes, node.Capacity.MemoryBytes), Sizes.Format(Math.Max(0, node.Capacity.MemoryBytes - node.Used.MemoryBytes)));
        table.AddRow("swap", Sizes.Format(node.Capacity.SwapBytes), WithShare(node.Committed.SwapBytes, node.Capacity.SwapBytes),
            WithShare(node.Used.SwapBytes, node.Capacity.SwapBytes), Sizes.Format(Math.Max(0, node.Capacity.SwapBytes - node.Used.SwapBytes)));
        table.AddRow("cpus", Sizes.FormatCpus(node.Capacity.Cpus), Sizes.FormatCpus(node.Committed.Cpus) + Share(node.Committed.Cpus, node.Capacity.Cpus),
            Sizes.FormatCpus(node.Used.Cpus) + Share(node.Used.Cpus, node.Capacity.Cpus), Sizes.FormatCpus(Math.Max(0, node.Capacity.Cpus - node.Used.Cpus)));
        table.AddRow("disk", Sizes.Format(node.Capacity.DiskBytes), WithShare(node.Committed.DiskBytes, node.Capacity.DiskBytes),
            WithShare(node.Used.DiskBytes, node.Capacity.DiskBytes), Sizes.Format(Math.Max(0, node.Capacity.DiskBytes - node.Used.DiskBytes)));
        return table.Render();
    }

    /// <summary>
    /// Admission view: guarantees must fit capacity − reserve (never oversold); limits may reach
    /// ratio × (capacity − reserve). Shares are of what containers may have (capacity − reserve).
    /// </summary>
    private static string RenderAdmissionTable(NodeInfo node)
    {
        var table = new TextTable("RESOURCE", "CAPACITY", "RESERVE", "GUARANTEED", "COMMITTED", "RATIO", "USED", "FREE");
        void Bytes(string resource, Func<NodeResources, long> get)
        {
            var capacity = get(node.Capacity);
            var reserve = node.Reserve is { } r ? get(r) : 0;
            var usable = Math.Max(0, capacity - reserve);
            var used = get(node.Used);
            table.AddRow(resource, Sizes.Format(capacity),
                node.Reserve is null ? "-" : Sizes.Format(reserve),
                node.CommittedGuarantees is { } g ? WithShare(get(g), usable) : "-",
                WithShare(get(node.Committed), usable),
                node.OvercommitRatios is { } o ? (resource == "swap" ? "-" : Ratio(RatioOf(o, resource))) : "-",
                WithShare(used, capacity),
                Sizes.Format(Math.Max(0, capacity - used)));
        }

        Bytes("memory", n => n.MemoryBytes);
        Bytes("swap", n => n.SwapBytes);
        var cpuCapacity = node.Capacity.Cpus;
        var cpuUsable = Math.Max(0, cpuCapacity - (node.Reserve?.Cpus ?? 0));
        table.AddRow("cpus", Sizes.FormatCpus(cpuCapacity),
            node.Reserve is { } cpuReserve ? Sizes.FormatCpus(cpuReserve.Cpus) : "-",
            node.CommittedGuarantees is { } cg ? Sizes.FormatCpus(cg.Cpus) + Share(cg.Cpus, cpuUsable) : "-",
            Sizes.FormatCpus(node.Committed.Cpus) + Share(node.Committed.Cpus, cpuUsable),
            node.OvercommitRatios is { } cr ? Ratio(cr.Cpu) : "-",
            Sizes.FormatCpus(node.Used.Cpus) + Share(node.Used.Cpus, cpuCapacity),
            Sizes.FormatCpus(Math.Max(0, cpuCapacity - node.Used.Cpus)));
        Bytes("disk", n => n.DiskBytes);
        return table.Render()
            + "\nGUARANTEED: sum of guarantees, must fit CAPACITY - RESERVE (shares are of that).\n"
            + "COMMITTED: sum of limits, may reach RATIO x (CAPACITY - RESERVE).\n";
    }

    /// <summary>Swap has no ratio of its own (it is admitted with memory).</summary>
    private static double? RatioOf(OvercommitInfo ratios, string resource) => resource switch
    {
        "memory" => ratios.Memory,
        "disk" => ratios.Disk,
        _ => null,
    };

    /// <summary>A null ratio means hakod does not check that resource's limits ("unchecked").</summary>
    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) + "x" : "unchecked";

    public static string RenderTemplates(IEnumerable<TemplateInfo> templates)
    {
        var table = new TextTable("NAME", "SOURCE", "SIZE", "FILES", "CONTAINERS", "CREATED");
        foreach (var t in templates.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            table.AddRow(t.Name, t.Source, Sizes.Format(t.SizeBytes), t.Files.ToString(CultureInfo.InvariantCulture),
                t.Containers.Count.ToString(CultureInfo.InvariantCulture), ContainerViews.FormatTime(t.CreatedAt));
        }

        return table.Render();
    }

    public static string RenderTemplate(TemplateInfo t) => new KeyValueGrid()
        .Add("Name", t.Name)
        .Add("Source", t.Source)
        .Add("Description", t.Description ?? "-")
        .Add("Size", Sizes.Format(t.SizeBytes))
        .Add("Files", t.Files.ToString(CultureInfo.InvariantCulture))
        .Add("Content hash", t.ContentHash ?? "-")
        .Add("Created", ContainerViews.FormatTime(t.CreatedAt))
        .Add("Containers", t.Containers.Count == 0 ? "none" : string.Join(", ", t.Containers))
        .Render();

    public static string RenderOperations(IEnumerable<OperationInfo> operations)
    {
        var table = new TextTable("ID", "KIND", "TARGET", "STATUS", "PROGRESS", "STEP", "CREATED");
        foreach (var o in operations.OrderBy(o => o.CreatedAt))
        {
            table.AddRow(o.Id, o.Kind, o.Target, o.Status, o.Progress.ToString(CultureInfo.InvariantCulture) + "%",
                o.Error?.Detail ?? o.Error?.Title ?? o.Step ?? "", ContainerViews.FormatTime(o.CreatedAt));
        }

        return table.Render();
    }

    private static string WithShare(long value, long capacity) => Sizes.Format(value) + Share(value, capacity);

    private static string Share(double value, double capacity) =>
        capacity > 0 ? " (" + (value * 100 / capacity).ToString("0", CultureInfo.InvariantCulture) + "%)" : "";
}
