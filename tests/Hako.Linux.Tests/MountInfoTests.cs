using Hako.Linux.Mounts;

namespace Hako.Linux.Tests;

public sealed class MountInfoTests
{
    [Fact]
    public void Read_ParsesRealMountinfoLines()
    {
        // Lines as /proc/self/mountinfo prints them on this host (an overlay and a loop-mounted ext4), plus
        // the proc(5) example with optional fields and an escaped space.
        var path = Path.GetTempFileName();
        File.WriteAllText(path, """
            1234 30 0:95 / /var/lib/hako/lxc/web1/rootfs rw,relatime - overlay overlay rw,lowerdir=/var/lib/hako/templates/busybox/rootfs,upperdir=/var/lib/hako/private/web1/upper,workdir=/var/lib/hako/private/web1/work
            1233 30 7:0 / /var/lib/hako/private/web1 rw,noatime - ext4 /dev/loop0 rw
            36 35 98:0 /mnt1 /mnt\0402 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            """);
        try
        {
            var m = MountInfo.Read(path);
            Assert.Equal(3, m.Count);
            Assert.Equal(new MountEntry("/var/lib/hako/lxc/web1/rootfs", "overlay", "overlay"), m[0]);
            Assert.Equal(new MountEntry("/var/lib/hako/private/web1", "ext4", "/dev/loop0"), m[1]);
            Assert.Equal("/mnt 2", m[2].MountPoint);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
