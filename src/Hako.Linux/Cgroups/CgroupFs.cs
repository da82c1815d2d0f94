using System.Globalization;
using System.Text;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Cgroups;

internal enum CgroupVersion
{
    V1,
    V2,
}

/// <summary>
/// The one door to cgroupfs: every read and write of a cgroup file goes through here, relative to
/// <see cref="Root"/> (default /sys/fs/cgroup; tests point it at a fixture tree). "Unlimited" is
/// translated to and from kernel text only in <see cref="FormatLimit"/> and <see cref="ParseLimit"/>.
/// </summary>
internal sealed class CgroupFs
{
    /// <summary>
    /// What v1 memory files read back for "no limit": PAGE_COUNTER_MAX pages in bytes, i.e.
    /// LONG_MAX rounded down to a 4 KiB page. Seen here: "9223372036854771712" in
    /// memory.limit_in_bytes, memory.memsw.limit_in_bytes and memory.soft_limit_in_bytes.
    /// </summary>
    public const long V1UnlimitedRead = 9223372036854771712;

    public CgroupFs(string root, CgroupVersion version)
    {
        Root = root;
        Version = version;
    }

    public string Root { get; }

    public CgroupVersion Version { get; }

    /// <summary>Called after each successful write with the relative path and value; tests use it to see the order of writes.</summary>
    public Action<string, string>? Written { get; set; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public bool Exists(string relative) => File.Exists(PathOf(relative));

    public bool DirectoryExists(string relative) => Directory.Exists(PathOf(relative));

    /// <summary>cgroup.procs: one pid per line, "1234\n1240\n".</summary>
    public static IReadOnlyList<int> ParsePids(string? text) =>
        text is null ? [] : [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => int.Parse(l, CultureInfo.InvariantCulture))];

    /// <summary>The pids of cgroup.procs in <paramref name="relative"/> and every cgroup below it.</summary>
    public List<int> ProcsRecursive(string relative)
    {
        var pids = new List<int>(ParsePids(ReadString(Path.Combine(relative, "cgroup.procs"))));
        try
        {
            foreach (var child in Directory.EnumerateDirectories(PathOf(relative)))
            {
                pids.AddRange(ProcsRecursive(Path.Combine(relative, Path.GetFileName(child))));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed while we looked: the container just stopped.
        }

        return pids;
    }

    /// <summary>
    /// Writes <paramref name="value"/> to a freezer file, then polls <paramref name="isFrozen"/> every millisecond
    /// until it holds. The kernel freezes asynchronously: tasks stop at their next safe point, so v1 shows
    /// FREEZING for a while (and can stay there if a task sleeps uninterruptibly, hence the timeout).
    /// </summary>
    public async Task FreezeAsync(string file, string value, Func<bool> isFrozen, Action thaw, string group,
        TimeSpan timeout, CancellationToken ct)
    {
        Write(file, value);
        var deadline = DateTime.UtcNow + timeout;
        while (!isFrozen())
        {
            if (DateTime.UtcNow > deadline)
            {
                thaw();
                throw new HakoException(ErrorCode.Busy,
                    $"cgroup {group} did not freeze within {timeout.TotalSeconds:0.#} s (a task in uninterruptible sleep, e.g. on a hung NFS mount?); it was thawed again, try later");
            }

            await Task.Delay(1, ct);
        }
    }

    /// <summary>rmdir(2) of a cgroup tree, children first; cgroupfs only allows removing empty groups.</summary>
    public void RemoveTree(string relative)
    {
        var dir = PathOf(relative);
        if (!Directory.Exists(dir))
        {
            return;
        }

        foreach (var child in Directory.EnumerateDirectories(dir))
        {
            RemoveTree(Path.Combine(relative, Path.GetFileName(child)));
        }

        try
        {
            Directory.Delete(dir);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>The file's text without the trailing newline; null when the file (or its cgroup) is missing.</summary>
    public string? ReadString(string relative)
    {
        var path = PathOf(relative);
        try
        {
            return Files.KernelText.Read(path).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HakoException(ErrorCode.PermissionDenied, $"Cannot read {path}: {e.Message}; hakod must run as root", e);
        }
        catch (IOException e)
        {
            throw new HakoException(ErrorCode.Internal, $"Cannot read {path}: {e.Message}", e);
        }
    }

    /// <summary>A single-number file such as memory.usage_in_bytes ("9056256"); null when missing.</summary>
    public long? ReadLong(string relative)
    {
        var text = ReadString(relative);
        return text is null ? null : ParseLong(text.Trim(), relative);
    }

    /// <summary>
    /// A limit file. Returns false when the file is missing; otherwise <paramref name="limit"/> is the
    /// value, or null for unlimited.
    /// </summary>
    public bool TryReadLimit(string relative, out long? limit)
    {
        limit = null;
        var text = ReadString(relative);
        if (text is null)
        {
            return false;
        }

        limit = ParseLimit(text, relative);
        return true;
    }

    /// <summary>
    /// A flat-keyed file, one "key value" pair a line: memory.stat ("rss 0"), memory.events
    /// ("oom_kill 1"), memory.oom_control ("oom_kill 1"), pids.events ("max 1"), cpu.stat
    /// ("usage_usec 186002"), cgroup.events ("populated 1"). Lines whose value is not a number are
    /// skipped. Null when the file is missing.
    /// </summary>
    public IReadOnlyDictionary<string, long>? ReadKeyValues(string relative)
    {
        var text = ReadString(relative);
        if (text is null)
        {
            return null;
        }

        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0)
            {
                continue;
            }

            if (long.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                result[line[..space]] = value;
            }
        }

        return result;
    }

    /// <summary>One value of a <see cref="ReadKeyValues"/> result; null when the file or the key is missing.</summary>
    public static long? Value(IReadOnlyDictionary<string, long>? values, string key) =>
        values is not null && values.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// Writes <paramref name="value"/> in one write(2) at offset 0, as the kernel expects; never
    /// creates the file (a missing file means a missing controller or cgroup, not something to make).
    /// </summary>
    public void Write(string relative, string value)
    {
        var path = PathOf(relative);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Truncate, FileAccess.Write);
            RandomAccess.Write(handle, Encoding.ASCII.GetBytes(value), 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            var dir = Path.GetDirectoryName(path);
            throw Directory.Exists(dir)
                ? new HakoException(ErrorCode.Unsupported,
                    $"Cannot write '{value}' to {path}: the file does not exist; is that controller enabled for this cgroup?", e)
                : new HakoException(ErrorCode.NotFound,
                    $"Cannot write '{value}' to {path}: cgroup {dir} does not exist; is the container running?", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new HakoException(ErrorCode.PermissionDenied, $"Cannot write '{value}' to {path}: {e.Message}; hakod must run as root", e);
        }
        catch (IOException e)
        {
            // EINVAL: value out of range or breaks an invariant (v1 memsw < memory);
            // EBUSY: v1 memory limit below usage that reclaim could not free.
            throw new HakoException(ErrorCode.InvalidArgument, $"The kernel refused '{value}' for {path}: {e.Message}", e);
        }

        Written?.Invoke(relative, value);
    }

    /// <summary>Writes a limit, null meaning unlimited, in the file's own spelling.</summary>
    public void WriteLimit(string relative, long? limit) => Write(relative, FormatLimit(limit, relative));

    /// <summary>
    /// Kernel text for a limit. v2 spells unlimited "max" everywhere. v1 takes "-1" in memory.*
    /// and cpu.cfs_quota_us, but the v1 pids controller was written v2-style: pids.max takes
    /// "max" and rejects "-1" with EINVAL (checked here).
    /// </summary>
    public string FormatLimit(long? limit, string relative)
    {
        if (limit is { } value)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        return Version == CgroupVersion.V2 || Path.GetFileName(relative).StartsWith("pids.", StringComparison.Ordinal)
            ? "max"
            : "-1";
    }

    /// <summary>
    /// Limit from kernel text, null meaning unlimited: "max" (v2, v1 pids.max), "-1" (v1
    /// cpu.cfs_quota_us) or the huge v1 memory value <see cref="V1UnlimitedRead"/> and above.
    /// </summary>
    public static long? ParseLimit(string text, string what)
    {
        var s = text.Trim();
        if (s == "max" || s == "-1")
        {
            return null;
        }

        var value = ParseLong(s, what);
        return value >= V1UnlimitedRead ? null : value;
    }

    private static long ParseLong(string text, string what) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new HakoException(ErrorCode.Internal, $"Unexpected content '{text}' in cgroup file {what}; expected a number");
}
