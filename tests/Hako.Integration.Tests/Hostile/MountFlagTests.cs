using Hako.Contracts;
using Hako.Integration.Tests.Infrastructure;

namespace Hako.Integration.Tests.Hostile;

/// <summary>
/// Issue 9: a device node or setuid file in a private area is inert on the host (nodev,nosuid), and the root
/// overlay is nodev but keeps setuid for su/sudo inside the container; the container still boots and runs.
/// </summary>
public sealed class MountFlagTests
{
    [SkippableFact]
    public async Task RunningContainer_PrivateAreaIsNodevNosuid_RootOverlayIsNodevWithSetuid()
    {
        Skip.IfNot(HakodNode.CanRun(out var reason), reason);
        await using var node = new HakodNode();
        await node.StartAsync();
        await node.BuildBusyboxAsync();
        await node.CreateAsync(new CreateContainerRequest { Name = "flags", Template = "busybox", Disk = "1G", Start = true });

        Assert.Equal("ok", (await node.ExecAsync("flags", "sh", "-c", "echo ok")).Stdout.Trim());
        // Setuid through the overlay is decided by the overlay's own flags, not the upper layer's mount: checked by
        // hand (a setuid-root copy of python3 in an upper dir on a nosuid mount runs with euid 0 through a nodev
        // overlay). Busybox cannot show it: Debian's build drops privileges for every applet but su and friends.
        var mounts = File.ReadAllLines("/proc/self/mountinfo");
        var area = mounts.Single(l => l.Split(' ')[4] == Path.Combine(node.DataDir, "private", "flags"));
        var root = mounts.Single(l => l.Split(' ')[4] == Path.Combine(node.DataDir, "lxc", "flags", "rootfs"));
        // mountinfo field 6 holds the per-mount flags, e.g. "rw,nosuid,nodev,noatime".
        Assert.Contains("nodev", area.Split(' ')[5].Split(','));
        Assert.Contains("nosuid", area.Split(' ')[5].Split(','));
        Assert.Contains("nodev", root.Split(' ')[5].Split(','));
        Assert.DoesNotContain("nosuid", root.Split(' ')[5].Split(','));
    }
}
