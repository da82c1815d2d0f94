using Hako.Contracts;

namespace Hako.Cli.Tests;

internal static class Samples
{
    public const long M = 1024 * 1024;

    public static ContainerInfo Container(string name = "web1", string state = "running", string? ip = "10.0.3.11",
        string? lxcPath = "/var/lib/hako/lxc") => new()
    {
        Name = name,
        State = state,
        Template = "busybox",
        Ip = ip,
        Hostname = name,
        Nameservers = ["1.1.1.1"],
        Limits = new ResourceLimits { MemoryBytes = 256 * M, SwapBytes = 0, Cpus = 1, CpuLimitPercent = 50, Processes = 512, DiskBytes = 2048 * M },
        Usage = new ResourceUsage { MemoryBytes = 12 * M, DiskBytes = 5 * M + M / 10, Processes = 7, CpuSeconds = 1.5 },
        HostRootUid = 100000,
        LxcPath = lxcPath,
        InitPid = state == "running" ? 4242 : null,
    };

    public static OperationInfo Operation(string status = "succeeded", int progress = 100, string? step = null, ProblemInfo? error = null) => new()
    {
        Id = "op-1",
        Kind = "container.create",
        Target = "web1",
        Status = status,
        Progress = progress,
        Step = step,
        Error = error,
    };
}
