using System.Globalization;
using System.Text;
using Hako.Contracts;

namespace Hako.Cli.Output;

/// <summary>Text for `hako plan`, `hako ubc` and `hako validate`.</summary>
internal static class ResourceViews
{
    /// <summary>The /proc/user_beancounters version line and header (what the kernel prints).</summary>
    public const string UbcVersionLine = "Version: 2.5";

    public const string UbcHeaderLine =
        "       uid  resource                     held              maxheld              barrier                limit              failcnt";

    public static string RenderPlans(IEnumerable<PlanInfo> plans)
    {
        var table = new TextTable("NAME", "KIND", "MODE", "MEMORY", "SWAP", "CPUS", "DISK", "CONTAINERS", "BUILT-IN");
        foreach (var p in plans.OrderBy(p => !p.BuiltIn).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            table.AddRow(p.Name, p.Kind, p.Mode,
                Sizes.FormatLimit(p.Limits.MemoryBytes),
                Sizes.FormatLimit(p.Limits.SwapBytes),
                p.Limits.Cpus is { } cpus ? cpus.ToString(CultureInfo.InvariantCulture) : "all",
                Sizes.FormatLimit(p.Limits.DiskBytes),
                p.Containers.Count.ToString(CultureInfo.InvariantCulture),
                p.BuiltIn ? "yes" : "no");
        }

        return table.Render();
    }

    public static string RenderPlan(PlanInfo p)
    {
        var limits = p.Limits;
        var grid = new KeyValueGrid()
            .Add("Name", p.Name + (p.BuiltIn ? " (built-in)" : ""))
            .Add("Description", p.Description.Length == 0 ? "-" : p.Description)
            .Add("Kind", p.Kind)
            .Add("Mode", p.Mode)
            .Add("Guarantees", ContainerViews.FormatGuarantees(p.Guarantees))
            .Add("Memory", Sizes.FormatLimit(limits.MemoryBytes))
            .Add("Swap", Sizes.FormatLimit(limits.SwapBytes))
            .Add("CPUs", (limits.Cpus is { } cpus ? cpus.ToString(CultureInfo.InvariantCulture) : "all")
                + $", cap {(limits.CpuLimitPercent is { } pct ? pct.ToString(CultureInfo.InvariantCulture) + "%" : "none")}"
                + $", units {limits.CpuUnits.ToString(CultureInfo.InvariantCulture)}"
                + (limits.CpuMask is { } mask ? $", mask {mask}" : ""))
            .Add("Processes", limits.Processes is { } n ? n.ToString(CultureInfo.InvariantCulture) : "unlimited")
            .Add("Disk", Sizes.FormatLimit(limits.DiskBytes))
            .Add("I/O", ContainerViews.FormatIoLimits(limits))
            .Add("Containers", p.Containers.Count == 0 ? "none" : string.Join(", ", p.Containers));
        var text = grid.Render();
        if (p.Beancounters is { Count: > 0 } beancounters)
        {
            text += "\nBeancounters (vzctl syntax):\n" + Beancounters.Render(beancounters);
        }

        return text;
    }

    /// <summary>
    /// One container's report, or many merged the way a multi-container /proc/user_beancounters reads: one
    /// Version line, one header, then each container's rows (hakod's text per container carries its own
    /// header; the copies are dropped). With <paramref name="enforcement"/>, each row gets a last column
    /// saying whether Hako enforces that counter, only accounts it, or cannot see it on this kernel.
    /// </summary>
    public static string RenderUbc(IReadOnlyList<BeancounterReport> reports, bool enforcement)
    {
        string? version = null;
        string? header = null;
        var rows = new List<(string Line, string? Enforcement)>();
        foreach (var report in reports)
        {
            var byResource = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var row in report.Rows)
            {
                byResource.TryAdd(row.Resource, row.Enforcement);
            }

            foreach (var raw in report.Text.Split('\n'))
            {
                var line = raw.TrimEnd('\r');
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                if (line.StartsWith("Version:", StringComparison.Ordinal))
                {
                    version ??= line;
                }
                else if (IsHeader(line))
                {
                    header ??= line;
                }
                else
                {
                    rows.Add((line, RowResource(line) is { } resource && byResource.TryGetValue(resource, out var e) ? e : null));
                }
            }
        }

        version ??= UbcVersionLine;
        header ??= UbcHeaderLine;
        var text = new StringBuilder((rows.Count + 2) * 140);
        text.Append(version).Append('\n');
        if (!enforcement)
        {
            text.Append(header).Append('\n');
            foreach (var (line, _) in rows)
            {
                text.Append(line).Append('\n');
            }

            return text.ToString();
        }

        var width = Math.Max(header.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Line.Length));
        text.Append(header.PadRight(width)).Append("  enforcement\n");
        foreach (var (line, how) in rows)
        {
            text.Append(line.PadRight(width)).Append("  ").Append(how ?? "-").Append('\n');
        }

        return text.ToString();
    }

    /// <summary>"uid  resource  held ..." (the first two words; the widths vary between writers).</summary>
    private static bool IsHeader(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 2 && words[0] == "uid" && words[1] == "resource";
    }

    /// <summary>"      101:  kmemsize  ..." or "            lockedpages ...": the resource name.</summary>
    private static string? RowResource(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return null;
        }

        return words[0].EndsWith(':') ? (words.Length > 1 ? words[1] : null) : words[0];
    }

    /// <summary>"error: [rule] message" / "warning: [rule] message", one per finding, errors first.</summary>
    public static string RenderFindings(ValidationReport report)
    {
        var text = new StringBuilder();
        foreach (var f in report.Findings.OrderBy(f => f.Severity == "error" ? 0 : 1))
        {
            text.Append(f.Severity).Append(": [").Append(f.Rule).Append("] ").Append(f.Message).Append('\n');
        }

        return text.ToString();
    }
}
