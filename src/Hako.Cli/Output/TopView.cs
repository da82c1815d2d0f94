using System.Globalization;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>What `hako top` sorts its rows by (largest first).</summary>
internal enum TopSort
{
    Cpu,
    Memory,
    Io,
    Net,
}

/// <summary>
/// One frame of `hako top` from GET /v1/usage: the node's line, then a row per running container.
/// Pure text so the full-screen loop, --once and tests all print the same thing.
/// </summary>
internal static class TopView
{
    public const string KeyLegend = "sort: c cpu  m memory  i io  n net  (←/→ cycle)   q quit";

    public static readonly IReadOnlyList<string> SortNames = ["cpu", "memory", "io", "net"];

    public static TopSort ParseSort(string name) => name switch
    {
        "cpu" => TopSort.Cpu,
        "memory" => TopSort.Memory,
        "io" => TopSort.Io,
        "net" => TopSort.Net,
        _ => throw CliException.Usage($"Unknown sort '{name}'; use one of: {string.Join(", ", SortNames)}"),
    };

    /// <summary>The sort a key picks (c, m, i, n; ←/→ step through them), or null for any other key.</summary>
    public static TopSort? SortForKey(ConsoleKeyInfo key, TopSort current) => key.Key switch
    {
        ConsoleKey.C when key.Modifiers == 0 || key.Modifiers == ConsoleModifiers.Shift => TopSort.Cpu,
        ConsoleKey.M => TopSort.Memory,
        ConsoleKey.I => TopSort.Io,
        ConsoleKey.N => TopSort.Net,
        ConsoleKey.RightArrow => (TopSort)(((int)current + 1) % SortNames.Count),
        ConsoleKey.LeftArrow => (TopSort)(((int)current + SortNames.Count - 1) % SortNames.Count),
        _ => null,
    };

    /// <summary>q, Escape or Ctrl-C (which arrives as a key while the console treats it as input).</summary>
    public static bool IsQuit(ConsoleKeyInfo key) =>
        key.Key is ConsoleKey.Q or ConsoleKey.Escape || key.KeyChar == '\x03'
        || (key.Key == ConsoleKey.C && key.Modifiers.HasFlag(ConsoleModifiers.Control));

    /// <summary>Rows largest first by the sort's value; ties by name so the order holds still between frames.</summary>
    public static IReadOnlyList<UsageRow> Sort(IEnumerable<UsageRow> rows, TopSort sort) =>
        [.. rows.OrderByDescending(r => SortValue(r, sort)).ThenBy(r => r.Name, StringComparer.Ordinal)];

    public static double SortValue(UsageRow row, TopSort sort) => sort switch
    {
        TopSort.Cpu => Value(row, "cpu"),
        TopSort.Memory => Value(row, "memory"),
        TopSort.Io => Value(row, "io_read_bytes") + Value(row, "io_write_bytes"),
        _ => Value(row, "net_rx_bytes") + Value(row, "net_tx_bytes"),
    };

    /// <summary>
    /// The frame as lines, each cut to <paramref name="width"/>; with a <paramref name="height"/> the rows
    /// that do not fit are left out (the legend stays on the last line).
    /// </summary>
    /// <param name="nodeMemory">The node's RAM (from GET /v1/node), for "used / total"; null if unknown.</param>
    public static IReadOnlyList<string> Render(LiveUsage usage, long? nodeMemory, TopSort sort, int width = int.MaxValue,
        int? height = null, bool legend = false)
    {
        var node = usage.Node;
        var header = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"hako top - {usage.Time.ToLocalTime():HH:mm:ss}  cpu {UsageUnits.Share(Value(node, "cpu"), usage.Cpus)} of {usage.Cpus} cpus"
                + $"  load {Load(node)}  mem {Sizes.Format((long)Value(node, "memory"))}/{(nodeMemory is { } m ? Sizes.Format(m) : "?")}"
                + $"  containers {usage.Containers.Count} running"),
            "sorted by " + SortNames[(int)sort],
            "",
        };

        var table = new TextTable("NAME", "CPU%", "CPULIM", "MEM/LIMIT", "MEM%", "SWAP", "DISK/LIMIT", "IO R/W B/s", "NET RX/TX B/s", "PROCS", "OOM/HITS");
        foreach (var row in Sort(usage.Containers, sort))
        {
            table.AddRow(
                row.Name,
                UsageUnits.CpuPercent(Value(row, "cpu")),
                Limit(row, "cpu") is { } cpuLimit ? UsageUnits.CpuPercent(cpuLimit) : "-",
                Sizes.Format((long)Value(row, "memory")) + "/" + Sizes.FormatLimit(LimitBytes(row, "memory")),
                UsageUnits.Share(Value(row, "memory"), Limit(row, "memory")),
                Sizes.Format((long)Value(row, "swap")),
                Sizes.UsedOfLimit(row.Values.TryGetValue("disk", out var disk) ? (long)disk : null, LimitBytes(row, "disk")),
                Sizes.Format((long)Value(row, "io_read_bytes")) + "/" + Sizes.Format((long)Value(row, "io_write_bytes")),
                Sizes.Format((long)Value(row, "net_rx_bytes")) + "/" + Sizes.Format((long)Value(row, "net_tx_bytes")),
                UsageUnits.Count(Value(row, "processes")),
                UsageUnits.Count(Total(row, "oom_kills")) + "/" + UsageUnits.Count(Total(row, "limit_hits")));
        }

        var lines = new List<string>(header);
        lines.AddRange(table.Render().TrimEnd('\n').Split('\n'));
        if (table.RowCount == 0)
        {
            lines.Add("(no running containers)");
        }

        if (height is { } h)
        {
            var room = Math.Max(0, h - (legend ? 1 : 0));
            if (lines.Count > room)
            {
                lines.RemoveRange(room, lines.Count - room);
            }
        }

        if (legend)
        {
            lines.Add(KeyLegend);
        }

        return [.. lines.Select(l => l.Length > width ? l[..Math.Max(0, width)] : l)];
    }

    private static double Value(UsageRow row, string metric) => row.Values.TryGetValue(metric, out var v) ? v : 0;

    private static double Total(UsageRow row, string metric) => row.Totals?.TryGetValue(metric, out var v) == true ? v : 0;

    private static double? Limit(UsageRow row, string metric) => row.Limits?.TryGetValue(metric, out var v) == true ? v : null;

    private static long? LimitBytes(UsageRow row, string metric) => Limit(row, metric) is { } v ? (long)v : null;

    private static string Load(UsageRow node) =>
        node.Values.TryGetValue("load1", out var load) ? load.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
