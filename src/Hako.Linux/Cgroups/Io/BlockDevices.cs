using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Cgroups.Io;

/// <summary>
/// Block device facts from sysfs, for the I/O controller: which loop device backs an image file,
/// and which I/O scheduler a device uses. <c>sysRoot</c> is /sys, or a fixture tree in tests.
/// </summary>
public static class BlockDevices
{
    public const string DefaultSysRoot = "/sys";

    /// <summary>
    /// The "major:minor" of the loop device whose backing file is <paramref name="imagePath"/>
    /// (e.g. "7:3" for /dev/loop3, which `mount -o loop` picked), or null when no loop device is
    /// bound to it. Read from /sys/block/loopN/loop/backing_file (the kernel's path of the file,
    /// "/var/lib/hako/private/web1.img"; only bound loop devices have the loop/ directory) and
    /// /sys/block/loopN/dev ("7:3").
    /// </summary>
    public static string? LoopDeviceOf(string imagePath, string sysRoot = DefaultSysRoot)
    {
        var wanted = Path.GetFullPath(imagePath);
        var block = Path.Combine(sysRoot, "block");
        foreach (var dir in EnumerateLoops(block))
        {
            var backing = ReadOrNull(Path.Combine(dir, "loop", "backing_file"));
            if (backing == wanted)
            {
                return ReadOrNull(Path.Combine(dir, "dev"));
            }
        }

        return null;
    }

    /// <summary>
    /// The active I/O scheduler of the device "major:minor", e.g. "none" from
    /// /sys/block/loop3/queue/scheduler "[none] mq-deadline kyber bfq"; null when the device is
    /// unknown or has no scheduler file (bio-based devices such as zram have none). A *.bfq.weight only acts under "bfq".
    /// </summary>
    public static string? Scheduler(string device, string sysRoot = DefaultSysRoot)
    {
        IoMapping.CheckDevice(device);
        var block = Path.Combine(sysRoot, "block");
        if (!Directory.Exists(block))
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories(block))
        {
            if (ReadOrNull(Path.Combine(dir, "dev")) == device)
            {
                return ParseScheduler(ReadOrNull(Path.Combine(dir, "queue", "scheduler")));
            }
        }

        return null;
    }

    /// <summary>"none [mq-deadline] kyber bfq" → "mq-deadline": the bracketed name is the active one.</summary>
    internal static string? ParseScheduler(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var open = text.IndexOf('[', StringComparison.Ordinal);
        var close = text.IndexOf(']', StringComparison.Ordinal);
        return open >= 0 && close > open ? text[(open + 1)..close] : null;
    }

    private static IEnumerable<string> EnumerateLoops(string block) =>
        Directory.Exists(block)
            ? Directory.EnumerateDirectories(block, "loop*")
                .Where(d => int.TryParse(Path.GetFileName(d).AsSpan(4), out _))
                .OrderBy(d => int.Parse(Path.GetFileName(d).AsSpan(4)))
            : [];

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException e)
        {
            throw new HakoException(ErrorCode.Internal, $"Cannot read {path}: {e.Message}", e);
        }
    }
}
