namespace Hako.Contracts;

public sealed record NodeInfo
{
    public required string NodeName { get; init; }
    public required string Version { get; init; }
    public required string CgroupVersion { get; init; }
    public required NodeResources Capacity { get; init; }
    public required NodeResources Committed { get; init; }
    public required NodeResources Used { get; init; }
    public int Containers { get; init; }
    public int RunningContainers { get; init; }
    public string? Bridge { get; init; }
    public string? Subnet { get; init; }
    public string? DataDir { get; init; }
    public bool Nat { get; init; }
    public bool Lxcfs { get; init; }
    /// <summary>SHA-256 fingerprint of the TCP API's TLS certificate ("sha256:..."), which clients pin; null without --listen or with --insecure-http.</summary>
    public string? TlsFingerprint { get; init; }
    /// <summary>How containers are confined: "apparmor (...)" or "none (...)", with the reason.</summary>
    public string? Confinement { get; init; }
    /// <summary>Kept for the host, never given to containers.</summary>
    public NodeResources? Reserve { get; init; }
    /// <summary>Sum of the containers' guarantees.</summary>
    public NodeResources? CommittedGuarantees { get; init; }
    /// <summary>Median wall time of hakod's recent beancounter sweeps over all running containers (every 10 s).</summary>
    public double? BeancounterSweepMilliseconds { get; init; }
    /// <summary>Per-resource overcommit ratios: Σ limits may reach ratio × (capacity − reserve).</summary>
    public OvercommitInfo? OvercommitRatios { get; init; }
    /// <summary>hako node evacuate marked this node: it takes no new containers until hako node restore.</summary>
    public bool Evacuated { get; init; }
    /// <summary>hakod --allow-privileged: privileged containers may be created or migrated in.</summary>
    public bool AllowPrivileged { get; init; }
    /// <summary>hakod --allow-unlimited-disk: containers without a disk quota may be created or migrated in.</summary>
    public bool AllowUnlimitedDisk { get; init; }
    /// <summary>Anti-spoofing on the node's bridge (nftables); null from a hakod that predates it.</summary>
    public AntiSpoofInfo? AntiSpoof { get; init; }
}

/// <summary>The node's anti-spoofing filter: each container's port may send only its own MAC and IPv4 address.</summary>
public sealed record AntiSpoofInfo
{
    /// <summary>False when hakod runs with --no-antispoof (the operator filters elsewhere).</summary>
    public bool Enabled { get; init; }
    /// <summary>The nftables table hakod owns, e.g. "bridge hako-node1".</summary>
    public string? Table { get; init; }
    /// <summary>False when the table is missing from the kernel (deleted behind hakod's back); the next start of a container makes it again.</summary>
    public bool TablePresent { get; init; }
    /// <summary>Container ports in the table (every container with an address, running or not).</summary>
    public int Ports { get; init; }
    /// <summary>Of those, the ports whose veth exists now (running containers).</summary>
    public int PortsUp { get; init; }
    /// <summary>Frames dropped since the table was last rebuilt (at hakod start): spoofing attempts and other forbidden traffic.</summary>
    public long Dropped { get; init; }
}

/// <summary>Overcommit ratios per resource; null = not checked.</summary>
public sealed record OvercommitInfo
{
    public double? Memory { get; init; }
    public double? Cpu { get; init; }
    public double? Disk { get; init; }
}

public sealed record NodeResources
{
    public long MemoryBytes { get; init; }
    public long SwapBytes { get; init; }
    public double Cpus { get; init; }
    public long DiskBytes { get; init; }
}
