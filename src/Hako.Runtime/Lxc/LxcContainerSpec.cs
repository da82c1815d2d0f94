namespace Hako.Runtime.Lxc;

/// <summary>Everything the LXC config of one container is generated from.</summary>
public sealed record LxcContainerSpec
{
    public required string Name { get; init; }
    public required string Hostname { get; init; }
    public required string Rootfs { get; init; }
    /// <summary>Host uid/gid of container root; null for a privileged container (no user namespace).</summary>
    public int? RootUid { get; init; }
    public int UidRange { get; init; } = 65536;
    /// <summary>cgroup path relative to each controller root, e.g. hako-node1/web1.</summary>
    public required string CgroupDir { get; init; }
    public string? Bridge { get; init; }
    /// <summary>Address with prefix, e.g. 10.77.0.5/24.</summary>
    public string? Ipv4Cidr { get; init; }
    public string? Gateway { get; init; }
    public string? MacAddress { get; init; }
    public string HaltSignal { get; init; } = "SIGPWR";
    public string Init { get; init; } = "/sbin/init";
    public bool Lxcfs { get; init; }
    public bool AppArmor { get; init; }
    /// <summary>Resource lines from the cgroup driver (lxc.cgroup.* or lxc.cgroup2.*).</summary>
    public IReadOnlyList<string> CgroupLines { get; init; } = [];
}
