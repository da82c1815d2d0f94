namespace Hako.Cli.Output;

/// <summary>The OpenVZ user beancounters (DESIGN.md §3), in /proc/user_beancounters order.</summary>
internal static class Beancounters
{
    public sealed record Parameter(string Name, string Unit, string Meaning);

    public static readonly IReadOnlyList<Parameter> All =
    [
        new("numproc", "items", "processes+threads"),
        new("numtcpsock", "items", "TCP sockets"),
        new("numothersock", "items", "other sockets"),
        new("vmguarpages", "pages", "allocation guarantee"),
        new("kmemsize", "bytes", "unswappable kernel memory"),
        new("tcpsndbuf", "bytes", "TCP send buffers"),
        new("tcprcvbuf", "bytes", "TCP receive buffers"),
        new("othersockbuf", "bytes", "other socket buffers"),
        new("dgramrcvbuf", "bytes", "datagram receive buffers"),
        new("oomguarpages", "pages", "OOM guarantee"),
        new("privvmpages", "pages", "allocated private memory"),
        new("lockedpages", "pages", "mlock()ed memory"),
        new("shmpages", "pages", "shm + tmpfs"),
        new("physpages", "pages", "resident memory"),
        new("swappages", "pages", "swap"),
        new("numfile", "items", "open files"),
        new("numflock", "items", "file locks"),
        new("numpty", "items", "ptys"),
        new("numsiginfo", "items", "queued signals"),
        new("dcachesize", "bytes", "dentry/inode cache"),
        new("numiptent", "items", "netfilter rules"),
    ];

    /// <summary>Known parameters in their canonical order, then any others the daemon reports, by name.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Ordered(IReadOnlyDictionary<string, string> values)
    {
        foreach (var parameter in All)
        {
            if (values.TryGetValue(parameter.Name, out var value))
            {
                yield return new(parameter.Name, value);
            }
        }

        foreach (var pair in values.Where(p => !All.Any(a => a.Name == p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            yield return pair;
        }
    }

    /// <summary>Names in canonical order (known first), each once.</summary>
    public static IEnumerable<string> OrderNames(IEnumerable<string> names)
    {
        var set = new HashSet<string>(names, StringComparer.Ordinal);
        return All.Select(p => p.Name).Where(set.Contains)
            .Concat(set.Where(n => !All.Any(a => a.Name == n)).OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>"  numproc       240:240" lines for show commands.</summary>
    public static string Render(IReadOnlyDictionary<string, string> values)
    {
        var table = new TextTable("PARAMETER", "BARRIER:LIMIT");
        foreach (var (name, value) in Ordered(values))
        {
            table.AddRow(name, value);
        }

        return table.Render();
    }
}
