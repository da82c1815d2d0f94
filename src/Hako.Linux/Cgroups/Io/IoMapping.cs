using System.Globalization;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Cgroups.Io;

/// <summary>Hako's I/O settings to kernel values, the same for v1 and v2.</summary>
internal static class IoMapping
{
    /// <summary>vzctl's default --ioprio, used when a container has none.</summary>
    public const int DefaultIoPrio = 4;

    /// <summary>
    /// --ioprio 0..7 → weight 100 + prio × 100, i.e. 100..800 (default 4 → 500). Linear like
    /// vzctl's ioprio; inside every weight file's range (blkio.weight 10..1000, blkio.bfq.weight
    /// and io.bfq.weight 1..1000, io.weight 1..10000), so one number serves all of them, and
    /// prio 0 is the kernel's default weight (100), which host processes outside Hako's groups have.
    /// </summary>
    public static int Weight(int? ioPrio)
    {
        var prio = ioPrio ?? DefaultIoPrio;
        if (prio is < 0 or > 7)
        {
            throw new HakoException(ErrorCode.InvalidArgument, $"--ioprio {prio} is out of range; use 0..7, e.g. 4");
        }

        return 100 + (prio * 100);
    }

    /// <summary>
    /// Checks a "major:minor" device number such as "7:3" (what /sys/block/loop3/dev holds); the
    /// kernel answers anything else with a bare EINVAL.
    /// </summary>
    public static string CheckDevice(string device)
    {
        var colon = device.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0
            || !uint.TryParse(device.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            || !uint.TryParse(device.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                $"Block device '{device}' is not a major:minor number; use e.g. 7:3 (see /sys/block/loop3/dev)");
        }

        return device;
    }

    /// <summary>
    /// --iolimit applies to each direction (read and write separately), --iopslimit likewise: the
    /// kernel throttles per direction, and limiting each to N is what vzctl users expect from N.
    /// </summary>
    public static (long? ReadBps, long? WriteBps, long? ReadIops, long? WriteIops) Throttles(ResourceLimits limits)
    {
        if (limits.IoLimitBytesPerSecond is <= 0 || limits.IopsLimit is <= 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                $"I/O limits must be positive (--iolimit {limits.IoLimitBytesPerSecond}, --iopslimit {limits.IopsLimit}); leave them unset for no limit");
        }

        return (limits.IoLimitBytesPerSecond, limits.IoLimitBytesPerSecond, limits.IopsLimit, limits.IopsLimit);
    }

    /// <summary>A throttle needs a device to sit on; refuse rather than silently not limiting.</summary>
    public static void CheckDeviceGiven(ResourceLimits limits, string? device)
    {
        if (device is null && AnyThrottle(limits))
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                "--iolimit and --iopslimit need the block device that carries the container's I/O " +
                "(its loop device, or the disk under its private directory); none was given");
        }
    }

    public static bool AnyThrottle(ResourceLimits limits) => limits.IoLimitBytesPerSecond is not null || limits.IopsLimit is not null;

    /// <summary>The weight files (of <paramref name="candidates"/>) that some child directory of <paramref name="dir"/> has.</summary>
    public static IReadOnlyList<string> DetectWeightFiles(string dir, IReadOnlyList<string> candidates)
    {
        // The root group never has weight files (bfq and iocost weigh siblings, the root has
        // none), so look at the groups below it, as the v2 driver does for memory.swap.max.
        try
        {
            var found = new List<string>();
            foreach (var child in Directory.EnumerateDirectories(dir))
            {
                found.AddRange(candidates.Where(f => !found.Contains(f) && File.Exists(Path.Combine(child, f))));
            }

            return [.. candidates.Where(found.Contains)];
        }
        catch (IOException)
        {
            return [];
        }
    }
}
