using Hako.Runtime.Lxc;

namespace Hako.Runtime.Tests.Lxc;

public sealed class LxcConfigTests
{
    private static LxcContainerSpec Spec(int? rootUid = 100000) => new()
    {
        Name = "web1",
        Hostname = "web1.example.test",
        Rootfs = "/var/lib/hako/lxc/web1/rootfs",
        RootUid = rootUid,
        CgroupDir = "hako-node1/web1",
        Bridge = "hakobr0",
        Ipv4Cidr = "10.77.0.5/24",
        Gateway = "10.77.0.1",
        MacAddress = LxcDriver.MacFor("10.77.0.5"),
        HaltSignal = "SIGUSR2",
        CgroupLines = ["lxc.cgroup.memory.limit_in_bytes = 268435456"],
    };

    private static string[] Lines(LxcContainerSpec s) => LxcDriver.RenderConfig(s, "/tmp/x.log").Split('\n');

    [Fact]
    public void Render_Unprivileged_MapsRootToTheSharedRange()
    {
        var lines = Lines(Spec());
        Assert.Contains("lxc.include = /usr/share/lxc/config/userns.conf", lines);
        Assert.Contains("lxc.idmap = u 0 100000 65536", lines);
        Assert.Contains("lxc.idmap = g 0 100000 65536", lines);
    }

    [Fact]
    public void Render_HostWithAppArmor_UsesLxcsGeneratedProfileWithoutNesting()
    {
        var lines = Lines(Spec() with { AppArmor = true });
        Assert.Contains("lxc.apparmor.profile = generated", lines);
        Assert.Contains("lxc.apparmor.allow_nesting = 0", lines);
        Assert.DoesNotContain("lxc.apparmor.profile = unconfined", lines);
    }

    [Fact]
    public void Render_HostWithoutAppArmor_IsUnconfined()
    {
        var lines = Lines(Spec() with { AppArmor = false });
        Assert.Contains("lxc.apparmor.profile = unconfined", lines);
        Assert.DoesNotContain("lxc.apparmor.profile = generated", lines);
    }

    [Theory]
    [InlineData("Y\n", true)]
    [InlineData("N\n", false)]
    [InlineData(null, false)]
    public void AppArmorProbe_ReadsTheKernelSwitch(string? content, bool enabled)
    {
        var file = Path.Combine(Path.GetTempPath(), $"apparmor-enabled-{Guid.NewGuid():N}");
        if (content is not null)
        {
            File.WriteAllText(file, content);
        }

        try
        {
            var state = Hako.Linux.Security.AppArmorState.Probe(file);
            Assert.Equal(enabled, state.Enabled);
            Assert.StartsWith(enabled ? "apparmor" : "none", state.Describe(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Render_Privileged_HasNoIdmap()
    {
        var lines = Lines(Spec(rootUid: null));
        Assert.DoesNotContain(lines, l => l.StartsWith("lxc.idmap", StringComparison.Ordinal));
        Assert.DoesNotContain("lxc.include = /usr/share/lxc/config/userns.conf", lines);
    }

    [Fact]
    public void Render_PutsContainerAndMonitorInTheNodesCgroupTrees()
    {
        var lines = Lines(Spec());
        Assert.Contains("lxc.cgroup.dir.container = hako-node1/web1", lines);
        Assert.Contains("lxc.cgroup.dir.monitor = hako-node1.monitor/web1", lines);
        Assert.Contains("lxc.cgroup.memory.limit_in_bytes = 268435456", lines);
    }

    [Fact]
    public void Render_Network_StaticAddressOnTheBridge()
    {
        var lines = Lines(Spec());
        Assert.Contains("lxc.net.0.type = veth", lines);
        Assert.Contains("lxc.net.0.link = hakobr0", lines);
        Assert.Contains("lxc.net.0.ipv4.address = 10.77.0.5/24", lines);
        Assert.Contains("lxc.net.0.ipv4.gateway = 10.77.0.1", lines);
        Assert.Contains("lxc.net.0.hwaddr = 00:16:3e:4d:00:05", lines);
        Assert.Contains("lxc.signal.halt = SIGUSR2", lines);
        Assert.Contains("lxc.uts.name = web1.example.test", lines);
    }

    [Fact]
    public void Render_NoNetwork_IsEmptyType()
    {
        var lines = Lines(Spec() with { Bridge = null, Ipv4Cidr = null });
        Assert.Contains("lxc.net.0.type = empty", lines);
    }
}
