namespace Hako.Contracts;

/// <summary>POST /v1/containers. Sizes are strings with suffixes ("256M", "2G", "unlimited").</summary>
public sealed record CreateContainerRequest
{
    public required string Name { get; init; }
    public required string Template { get; init; }
    public string? Memory { get; init; }
    public string? Swap { get; init; }
    public int? Cpus { get; init; }
    /// <summary>Percent of one CPU, e.g. "50%" or "200" (two CPUs).</summary>
    public string? CpuLimit { get; init; }
    public int? CpuUnits { get; init; }
    public int? Processes { get; init; }
    /// <summary>Disk quota ("2G") or "unlimited" for a plain directory.</summary>
    public string? Disk { get; init; }
    public string? Hostname { get; init; }
    public string? Ip { get; init; }
    public IReadOnlyList<string>? Nameservers { get; init; }
    public bool OnBoot { get; init; }
    public bool Privileged { get; init; }
    /// <summary>"bridge" (default: a veth on the node's bridge with a static address) or "none" (loopback only).</summary>
    public string? Network { get; init; }
    /// <summary>A plan (hako plan list) the settings start from; explicit fields override it.</summary>
    public string? Plan { get; init; }
    /// <summary>Overrides of the plan's resources beyond the basic fields above (mode, guarantees, I/O, beancounters).</summary>
    public ResourceSettings? Resources { get; init; }
    /// <summary>Start the container once it is created.</summary>
    public bool Start { get; init; }
}

/// <summary>PATCH /v1/containers/{name}. Null fields are left as they are.</summary>
public sealed record UpdateContainerRequest
{
    public string? Hostname { get; init; }
    public IReadOnlyList<string>? Nameservers { get; init; }
    public string? Memory { get; init; }
    public string? Swap { get; init; }
    public int? Cpus { get; init; }
    public string? CpuLimit { get; init; }
    public int? CpuUnits { get; init; }
    public int? Processes { get; init; }
    public string? Disk { get; init; }
    public bool? OnBoot { get; init; }
    /// <summary>Switch to another plan; the container's explicit settings are re-applied on top of it.</summary>
    public string? Plan { get; init; }
    public ResourceSettings? Resources { get; init; }
}

/// <summary>
/// The resource settings beyond memory/swap/cpu/processes/disk, as operators write them (strings with
/// suffixes, vzctl syntax). Null fields are left as they are.
/// </summary>
public sealed record ResourceSettings
{
    /// <summary>slm (one memory size, OOM inside) or ubc (the full beancounter set).</summary>
    public string? Mode { get; init; }
    /// <summary>guaranteed (limits = guarantees, never oversold) or best-effort.</summary>
    public string? Kind { get; init; }
    public string? GuaranteeMemory { get; init; }
    public string? GuaranteeCpus { get; init; }
    public string? GuaranteeDisk { get; init; }
    /// <summary>I/O weight 0..7 (vzctl --ioprio).</summary>
    public string? IoPrio { get; init; }
    /// <summary>Bytes per second, e.g. 10M.</summary>
    public string? IoLimit { get; init; }
    /// <summary>Operations per second.</summary>
    public string? IopsLimit { get; init; }
    /// <summary>CPUs the container may run on, e.g. "0" or "0-1" (vzctl --cpumask).</summary>
    public string? CpuMask { get; init; }
    /// <summary>Beancounters in vzctl syntax, e.g. { "numproc": "240:240", "kmemsize": "14M:16M" }.</summary>
    public IReadOnlyDictionary<string, string>? Beancounters { get; init; }
}

/// <summary>What is reserved for a container (never oversold); limits are the ceiling.</summary>
public sealed record ResourceGuarantees
{
    public long MemoryBytes { get; init; }
    public double Cpus { get; init; }
    public long DiskBytes { get; init; }
}

public sealed record ResourceLimits
{
    /// <summary>Bytes; null = unlimited.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>Bytes of swap on top of memory; null = unlimited, 0 = none.</summary>
    public long? SwapBytes { get; init; }
    public int? Cpus { get; init; }
    /// <summary>Percent of one CPU (200 = two CPUs); null = no cap.</summary>
    public int? CpuLimitPercent { get; init; }
    public int CpuUnits { get; init; } = 1000;
    public int? Processes { get; init; }
    /// <summary>Bytes; null = unlimited (plain directory).</summary>
    public long? DiskBytes { get; init; }
    /// <summary>I/O weight 0..7 (vzctl --ioprio); null = the default (4).</summary>
    public int? IoPrio { get; init; }
    public long? IoLimitBytesPerSecond { get; init; }
    public long? IopsLimit { get; init; }
    /// <summary>Explicit cpuset, e.g. "0-1"; null = chosen from --cpus.</summary>
    public string? CpuMask { get; init; }
}

public sealed record ResourceUsage
{
    public long? MemoryBytes { get; init; }
    public long? SwapBytes { get; init; }
    public long? DiskBytes { get; init; }
    public long? DiskInodes { get; init; }
    public int? Processes { get; init; }
    public double? CpuSeconds { get; init; }
    public long? IoReadBytes { get; init; }
    public long? IoWriteBytes { get; init; }
    public long? IoReadOps { get; init; }
    public long? IoWriteOps { get; init; }
}

/// <summary>A limit the kernel enforced: counter name, how often, and when it was last seen rising.</summary>
public sealed record LimitEvent
{
    public required string Counter { get; init; }
    public required long Count { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public string? Detail { get; init; }
}

public sealed record ContainerInfo
{
    public required string Name { get; init; }
    /// <summary>running, stopped, creating, error.</summary>
    public required string State { get; init; }
    public required string Template { get; init; }
    public string? Ip { get; init; }
    public required string Hostname { get; init; }
    public IReadOnlyList<string> Nameservers { get; init; } = [];
    public required ResourceLimits Limits { get; init; }
    public ResourceUsage? Usage { get; init; }
    public bool OnBoot { get; init; }
    public bool Privileged { get; init; }
    public int? InitPid { get; init; }
    /// <summary>Host uid of the container's root (0 when privileged).</summary>
    public int HostRootUid { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public IReadOnlyList<LimitEvent> Events { get; init; } = [];
    /// <summary>LXC path and name, so a local CLI can attach without a round trip through hakod.</summary>
    public string? LxcPath { get; init; }
    public string? Plan { get; init; }
    /// <summary>slm or ubc.</summary>
    public string Mode { get; init; } = "slm";
    /// <summary>guaranteed or best-effort.</summary>
    public string Kind { get; init; } = "best-effort";
    public ResourceGuarantees? Guarantees { get; init; }
    /// <summary>The beancounter set in vzctl syntax (ubc mode; derived from memory/swap/processes in slm mode).</summary>
    public IReadOnlyDictionary<string, string>? Beancounters { get; init; }
    /// <summary>vzcfgvalidate warnings of the last create/set (errors refuse the change).</summary>
    public IReadOnlyList<string>? Warnings { get; init; }
}

public sealed record ExecRequest
{
    public required IReadOnlyList<string> Command { get; init; }
    public string? Stdin { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
}

public sealed record ExecResult
{
    public required int ExitCode { get; init; }
    public required string Stdout { get; init; }
    public required string Stderr { get; init; }
}

public sealed record StopRequest
{
    public bool Force { get; init; }
    public int TimeoutSeconds { get; init; } = 30;
}
