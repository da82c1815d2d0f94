using Hako.Core.Containers;

namespace Hako.Daemon.Usage;

/// <summary>
/// The limits a container's usage is shown against, by resource: "cpu" in cores (the CPU cap, else
/// the CPU count), "memory", "swap" and "disk" in bytes, "processes". Unlimited resources are absent.
/// Shared by the live view (GET /v1/usage) and /metrics (hako_container_limit{resource=...}).
/// </summary>
public static class UsageLimits
{
    public static readonly IReadOnlyList<string> Resources = ["cpu", "memory", "swap", "disk", "processes"];

    public static Dictionary<string, double> Of(ContainerRecord r)
    {
        var l = r.Limits;
        double? cpu = l.CpuLimitPercent is { } percent ? percent / 100.0 : l.Cpus;
        var values = new double?[] { cpu, l.MemoryBytes, l.SwapBytes, l.DiskBytes, l.Processes };
        var limits = new Dictionary<string, double>();
        for (var i = 0; i < Resources.Count; i++)
        {
            if (values[i] is { } v)
            {
                limits[Resources[i]] = v;
            }
        }

        return limits;
    }
}
