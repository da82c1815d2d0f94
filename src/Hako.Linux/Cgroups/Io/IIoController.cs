using Hako.Contracts;

namespace Hako.Linux.Cgroups.Io;

/// <summary>
/// Disk I/O control of containers through the host's cgroups: bandwidth and IOPS throttles on the
/// block device that carries a container's I/O (for a loop-mounted private area, the loop device,
/// e.g. "7:3"), a proportional weight from --ioprio, and per-container I/O counters. Groups are
/// paths relative to the hierarchy, as in <see cref="ICgroupDriver"/>. Pick the implementation
/// with <see cref="IoControllerFactory.Detect"/>. See docs/io.md for what each knob really does
/// on a v1 host.
/// </summary>
public interface IIoController
{
    /// <summary>"v1" (blkio), "v2" (io), or "none" when the host has no I/O controller.</summary>
    string Version { get; }

    /// <summary>
    /// The weight files --ioprio is written to, found in the host's existing groups: v1
    /// blkio.bfq.weight and/or blkio.weight (CFQ, kernels before 5.0), v2 io.bfq.weight and/or
    /// io.weight (iocost). Empty when no weight can be set here.
    /// </summary>
    IReadOnlyList<string> WeightFiles { get; }

    /// <summary>
    /// Null when --ioprio can be written here; otherwise why not ("unsupported here: ..."). A
    /// weight that can be written still only acts on a device whose scheduler implements it (bfq
    /// for the *.bfq.weight files; see <see cref="BlockDevices.Scheduler"/>).
    /// </summary>
    string? WeightUnsupportedReason { get; }

    /// <summary>
    /// The I/O lines of a container's LXC config. <paramref name="device"/> is the "major:minor"
    /// of the device that carries the container's I/O, or null when there is none to throttle
    /// (a private area in a plain directory): then only the weight is set.
    /// </summary>
    IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? device);

    /// <summary>
    /// Changes a running container's I/O limits. Every throttle on <paramref name="device"/> is
    /// written, unlimited ones as "no limit", so a throttle can be removed; the weight is written to
    /// each weight file the group has. A null device leaves throttles as they are.
    /// </summary>
    void Apply(string group, ResourceLimits limits, string? device);

    /// <summary>The group's I/O, its sub-groups included, per device and summed; null when the group (or the controller) does not exist.</summary>
    IoStats? ReadStats(string group);
}

/// <summary>I/O of a cgroup on one block device, as the kernel counted it.</summary>
public sealed record IoDeviceStats(string Device, long ReadBytes, long WriteBytes, long ReadOps, long WriteOps);

/// <summary>I/O of a cgroup on every device the kernel has counted for it.</summary>
public sealed record IoStats(IReadOnlyList<IoDeviceStats> Devices)
{
    public long ReadBytes => Devices.Sum(d => d.ReadBytes);

    public long WriteBytes => Devices.Sum(d => d.WriteBytes);

    public long ReadOps => Devices.Sum(d => d.ReadOps);

    public long WriteOps => Devices.Sum(d => d.WriteOps);

    /// <summary>The counters on one device ("7:3"), or null when the kernel has none for it.</summary>
    public IoDeviceStats? Device(string device) => Devices.FirstOrDefault(d => d.Device == device);
}
