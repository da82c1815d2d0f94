using System.Globalization;
using System.Text;
using Hako.Core.Errors;

namespace Hako.Core.Resources;

/// <summary>One row of /proc/user_beancounters. Values in the resource's unit; LONG_MAX = unlimited.</summary>
public sealed record BeancounterRow(string Resource, long Held, long MaxHeld, long Barrier, long Limit, long FailCnt);

/// <summary>One container's block of /proc/user_beancounters: its id (the "uid" column) and its rows.</summary>
public sealed record BeancounterTable(string Id, IReadOnlyList<BeancounterRow> Rows);

/// <summary>Live numbers for one counter, from whatever gathers them (cgroupfs, procfs, hakod's own bookkeeping).</summary>
public readonly record struct BeancounterUsage(long Held, long MaxHeld, long FailCnt);

/// <summary>
/// The /proc/user_beancounters text format, both ways. Layout of the OpenVZ kernels with 64-bit counters
/// (2.6.18 to 042stab), as they print it:
/// <code>
/// Version: 2.5
///        uid  resource                     held              maxheld              barrier                limit              failcnt
///      1005:  kmemsize                  6499239             34332672             50331648             50331648                    0
///             lockedpages                     0                    0                12288                12288                    0
/// </code>
/// i.e. <c>"%10s  %-12s %20lu %20lu %20lu %20lu %20lu"</c>, the container id with a colon on its first row only.
/// </summary>
public static class UserBeancounters
{
    public const string Version = "2.5";

    /// <summary>Rows for a container in kernel order, barrier and limit from <paramref name="set"/>; counters without usage show zeros.</summary>
    public static BeancounterTable FromSet(string id, BeancounterSet set, IReadOnlyDictionary<UbcResource, BeancounterUsage>? usage = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        var rows = UbcParameters.KernelOrder.Select(r =>
        {
            var u = usage is not null && usage.TryGetValue(r, out var found) ? found : default;
            var (barrier, limit) = set[r];
            return new BeancounterRow(UbcParameters.Get(r).Name, u.Held, u.MaxHeld, barrier, limit, u.FailCnt);
        }).ToList();
        return new BeancounterTable(id, rows);
    }

    /// <summary>
    /// The barriers and limits of an imported table as a set (rows Hako does not know, such as "dummy", are skipped;
    /// parameters missing from the table stay unlimited). Note 32-bit kernels print LONG_MAX as 2147483647.
    /// </summary>
    public static BeancounterSet ToSet(BeancounterTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var set = BeancounterSet.Unlimited;
        foreach (var row in table.Rows)
        {
            if (UbcParameters.TryFind(row.Resource, out var p))
            {
                set = set.With(p.Resource, new UbcLimit(row.Barrier, row.Limit));
            }
        }

        return set;
    }

    public static string Render(BeancounterTable table) => Render([table]);

    /// <summary>The whole file: the version line, the header, then each container's rows. Lines end with '\n'.</summary>
    public static string Render(IEnumerable<BeancounterTable> tables)
    {
        var sb = new StringBuilder();
        sb.Append("Version: ").Append(Version).Append('\n');
        Line(sb, "uid", "resource", "held", "maxheld", "barrier", "limit", "failcnt");
        foreach (var table in tables)
        {
            for (var i = 0; i < table.Rows.Count; i++)
            {
                var r = table.Rows[i];
                Line(sb, i == 0 ? table.Id + ":" : "", r.Resource, N(r.Held), N(r.MaxHeld), N(r.Barrier), N(r.Limit), N(r.FailCnt));
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Reads the format back, from Hako or from a real OpenVZ node (host view with many containers, or a
    /// container's own view; old 32-bit-width columns too: only whitespace separates fields). The kernel's
    /// placeholder "dummy" rows are dropped. Values above LONG_MAX (a %lu the kernel printed) read as LONG_MAX.
    /// </summary>
    /// <exception cref="HakoException">InvalidArgument naming the line that is not in the format.</exception>
    public static IReadOnlyList<BeancounterTable> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var tables = new List<BeancounterTable>();
        string? id = null;
        var rows = new List<BeancounterRow>();
        var sawVersion = false;
        var sawHeader = false;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!sawVersion)
            {
                // "Version: 2.5"
                if (!line.StartsWith("Version:", StringComparison.Ordinal))
                {
                    throw Bad(n, lines[n], "the first line should be 'Version: 2.5'");
                }

                sawVersion = true;
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (!sawHeader)
            {
                // "uid  resource  held  maxheld  barrier  limit  failcnt"
                if (fields is not ["uid", "resource", "held", "maxheld", "barrier", "limit", "failcnt"])
                {
                    throw Bad(n, lines[n], "the second line should be the header 'uid resource held maxheld barrier limit failcnt'");
                }

                sawHeader = true;
                continue;
            }

            if (fields.Length == 7 && fields[0].EndsWith(':'))
            {
                if (id is not null)
                {
                    tables.Add(new BeancounterTable(id, rows));
                }

                id = fields[0][..^1];
                rows = [];
                fields = fields[1..];
            }
            else if (fields.Length != 6 || id is null)
            {
                throw Bad(n, lines[n], id is null
                    ? "the first row should start with the container id and a colon, e.g. '101:  kmemsize ...'"
                    : "a row should be 'resource held maxheld barrier limit failcnt'");
            }

            if (fields[0] == "dummy")
            {
                continue;
            }

            var values = new long[5];
            for (var i = 0; i < 5; i++)
            {
                if (!ulong.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                {
                    throw Bad(n, lines[n], $"'{fields[i + 1]}' is not a counter value");
                }

                values[i] = v > long.MaxValue ? long.MaxValue : (long)v;
            }

            rows.Add(new BeancounterRow(fields[0], values[0], values[1], values[2], values[3], values[4]));
        }

        if (id is not null)
        {
            tables.Add(new BeancounterTable(id, rows));
        }

        return tables;
    }

    private static void Line(StringBuilder sb, string uid, string resource, string held, string maxheld, string barrier, string limit, string failcnt) =>
        sb.Append(CultureInfo.InvariantCulture, $"{uid,10}  {resource,-12} {held,20} {maxheld,20} {barrier,20} {limit,20} {failcnt,20}\n");

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static HakoException Bad(int index, string line, string expected) =>
        HakoException.Invalid($"user_beancounters line {index + 1} '{line.Trim()}' is not in the format: {expected}");
}
