using Hako.Core.Resources;
using Hako.Linux.Beancounters;
using Hako.Linux.Cgroups;
using Hako.Linux.Tests.TestSupport;

namespace Hako.Linux.Tests.Beancounters;

public sealed class BeancounterKernelMapTests
{
    private const long MiB = 1024 * 1024;

    private static readonly BeancounterSet Set = UbcDerivation.FromSlm(512 * MiB, 256 * MiB, 100, guaranteedMemoryBytes: 128 * MiB)
        .With(UbcResource.NumFile, new UbcLimit(4096, 8192));

    [Fact]
    public void For_EveryParameterHasAStatusInBothVersions()
    {
        foreach (var p in UbcParameters.All)
        {
            Assert.False(string.IsNullOrWhiteSpace(BeancounterKernelMap.For(p.Resource, "v1").How));
            Assert.False(string.IsNullOrWhiteSpace(BeancounterKernelMap.For(p.Resource, "v2").How));
        }

        Assert.Equal(UbcEnforcement.Enforced, BeancounterKernelMap.For(UbcResource.TcpSndBuf, "v1").Status);
        Assert.Equal(UbcEnforcement.Accounted, BeancounterKernelMap.For(UbcResource.KmemSize, "v1").Status);
        Assert.Equal(UbcEnforcement.Protected, BeancounterKernelMap.For(UbcResource.VmGuarPages, "v2").Status);
        Assert.Equal(UbcEnforcement.Unavailable, BeancounterKernelMap.For(UbcResource.PhysPages, "none").Status);
        Assert.Equal(UbcEnforcement.EnforcedPerProcess, BeancounterKernelMap.For(UbcResource.NumFile, "none").Status);
    }

    [Fact]
    public void LxcConfigLines_V1_WritesTcpSoftLimitPrlimitsAndPtys()
    {
        var tcp = Set[UbcResource.TcpSndBuf].Limit;
        Assert.Equal(
            [
                $"lxc.cgroup.memory.kmem.tcp.limit_in_bytes = {tcp}",
                $"lxc.cgroup.memory.soft_limit_in_bytes = {128 * MiB}",
                "lxc.prlimit.nofile = 4096:8192",
                $"lxc.prlimit.memlock = {64 * MiB}",
                "lxc.prlimit.sigpending = 1024",
                "lxc.pty.max = 16",
            ],
            BeancounterKernelMap.LxcConfigLines(Set, "v1"));
    }

    [Fact]
    public void LxcConfigLines_V2_UsesMemoryLowAndNoTcpLimit() =>
        Assert.Equal(
            [
                $"lxc.cgroup2.memory.low = {128 * MiB}",
                "lxc.prlimit.nofile = 4096:8192",
                $"lxc.prlimit.memlock = {64 * MiB}",
                "lxc.prlimit.sigpending = 1024",
                "lxc.pty.max = 16",
            ],
            BeancounterKernelMap.LxcConfigLines(Set, "v2"));

    [Fact]
    public void LxcConfigLines_WhenUnlimited_OnlyTurnsOnV1TcpAccounting()
    {
        Assert.Equal(["lxc.cgroup.memory.kmem.tcp.limit_in_bytes = -1"], BeancounterKernelMap.LxcConfigLines(BeancounterSet.Unlimited, "v1"));
        Assert.Empty(BeancounterKernelMap.LxcConfigLines(BeancounterSet.Unlimited, "v2"));
    }

    [Fact]
    public void LxcConfigLines_WithoutGuarantee_V1WritesSoftLimitZeroSoItIsReclaimedFirst()
    {
        var set = UbcDerivation.FromSlm(512 * MiB, 0, null);
        Assert.Contains("lxc.cgroup.memory.soft_limit_in_bytes = 0", BeancounterKernelMap.LxcConfigLines(set, "v1"));
        Assert.DoesNotContain(BeancounterKernelMap.LxcConfigLines(set, "v2"), l => l.Contains("memory.low", StringComparison.Ordinal));
    }

    [Fact]
    public void LxcConfigLines_BarrierAboveLimit_KeepsSoftAtHard() =>
        Assert.Contains("lxc.prlimit.nofile = 100",
            BeancounterKernelMap.LxcConfigLines(BeancounterSet.Unlimited.With(UbcResource.NumFile, new UbcLimit(UbcLimit.Unlimited, 100)), "v1"));

    [Fact]
    public void Apply_V1_WritesTcpLimitAndSoftLimit()
    {
        using var tree = FixtureTree.Copy("cgroup-v1");
        new CgroupV1Driver(tree.Root).Apply("hako-node1/web1", Set);
        Assert.Equal(Set[UbcResource.TcpSndBuf].Limit.ToString(), tree.Read("memory/hako-node1/web1/memory.kmem.tcp.limit_in_bytes"));
        Assert.Equal((128 * MiB).ToString(), tree.Read("memory/hako-node1/web1/memory.soft_limit_in_bytes"));
        new CgroupV1Driver(tree.Root).Apply("hako-node1/web1", BeancounterSet.Unlimited);
        Assert.Equal("-1", tree.Read("memory/hako-node1/web1/memory.kmem.tcp.limit_in_bytes"));
        Assert.Equal("-1", tree.Read("memory/hako-node1/web1/memory.soft_limit_in_bytes"));
    }

    [Fact]
    public void Apply_V2_WritesMemoryLow()
    {
        using var tree = FixtureTree.Copy("cgroup-v2");
        tree.Write("hako-node1/web1/memory.low", "0\n");
        new CgroupV2Driver(tree.Root).Apply("hako-node1/web1", Set);
        Assert.Equal((128 * MiB).ToString(), tree.Read("hako-node1/web1/memory.low"));
    }
}
