using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Cgroups.Io;

/// <summary>
/// The host has no I/O controller: containers without I/O limits still run (no lines, nothing to
/// apply, no counters); asking for a throttle fails clearly instead of being ignored.
/// </summary>
internal sealed class DisabledIoController(string root) : IIoController
{
    public string Version => "none";

    public IReadOnlyList<string> WeightFiles => [];

    public string? WeightUnsupportedReason =>
        $"unsupported here: neither {root}/blkio (v1) nor the io controller in {root}/cgroup.controllers (v2)";

    public IReadOnlyList<string> LxcConfigLines(ResourceLimits limits, string? device)
    {
        ThrowIfThrottled(limits);
        return [];
    }

    public void Apply(string group, ResourceLimits limits, string? device) => ThrowIfThrottled(limits);

    public IoStats? ReadStats(string group) => null;

    private void ThrowIfThrottled(ResourceLimits limits)
    {
        if (IoMapping.AnyThrottle(limits))
        {
            throw new HakoException(ErrorCode.Unsupported,
                $"--iolimit and --iopslimit need the blkio (v1) or io (v2) cgroup controller, and {root} has neither; " +
                "mount the blkio controller at " + Path.Combine(root, "blkio") + " or enable io in cgroup v2");
        }
    }
}
